namespace CloudCoreLb.L4Proxy.Handover;

/// <summary>A server's check verdict, so the next process starts with the health the old one had learned.</summary>
public sealed record ServerHandover(string Backend, string Server, bool CheckUp);
