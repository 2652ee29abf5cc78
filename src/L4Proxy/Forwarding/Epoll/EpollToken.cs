namespace CloudCoreLb.L4Proxy.Forwarding.Epoll;

/// <summary>
/// The 64-bit <c>epoll_data</c> of a registration: the handler's slot in its loop, which of its descriptors (a
/// session has two) and a generation, so an event still queued for a descriptor that was closed and replaced (a
/// connect retry) is recognised as stale instead of being applied to the new one.
/// </summary>
internal readonly record struct EpollToken(int Slot, int Side, uint Generation)
{
    public ulong Value => (uint)Slot | ((ulong)(Side & 1) << 32) | ((ulong)Generation << 33);

    public static EpollToken From(ulong value) => new((int)(uint)value, (int)((value >> 32) & 1), (uint)(value >> 33));
}
