namespace CloudCoreLb.L4Proxy.Handover;

/// <summary>
/// A server's check verdict and admin state, so the next process starts with the health the old one had learned and
/// the drains an operator set. <paramref name="AdminState"/> is optional in the state description: a previous build
/// writes none (ready), and one that reads this build's state ignores it.
/// </summary>
public sealed record ServerHandover(string Backend, string Server, bool CheckUp, ServerAdminState AdminState = ServerAdminState.Ready);
