namespace CloudCoreLb.Host.Handover;

/// <summary>
/// The other process answered with <see cref="HandoverFrameType.Refuse"/> (the message is its reason, for the
/// operator) or with a frame the exchange does not allow at that step.
/// </summary>
internal sealed class HandoverRefusedException(string message) : Exception(message);
