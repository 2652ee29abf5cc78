namespace CloudCoreLb.Vrrp;

/// <summary>
/// Where an instance's successor process resumes after an upgrade: the state it had and, for a master, when its
/// next advert is due (a <see cref="TimeProvider.GetTimestamp"/> of the system clock, CLOCK_MONOTONIC on Linux,
/// which both processes share; 0 when none is due) and whether an operator holds it (absent from a previous build's
/// state, so false).
/// </summary>
public sealed record VrrpResumePoint(string Instance, VrrpState State, long NextAdvertTimestamp, bool Held = false);
