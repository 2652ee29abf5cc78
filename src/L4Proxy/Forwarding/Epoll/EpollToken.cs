namespace CloudCoreLb.L4Proxy.Forwarding.Epoll;

/// <summary>
/// The 64-bit <c>epoll_data</c> of a registration: the handler's slot in its loop, which of its descriptors (a
/// session has two) and a generation, so an event still queued for a descriptor that was closed and replaced (a
/// connect retry) is recognised as stale instead of being applied to the new one.
/// </summary>
internal readonly record struct EpollToken(int Slot, int Side, uint Generation)
{
    /// <summary>The generation has the 31 bits above the slot and side; counters wrap within them.</summary>
    public const uint GenerationMask = 0x7FFF_FFFF;

    /// <summary>The generation after <paramref name="generation"/>, kept within <see cref="GenerationMask"/>.</summary>
    public static uint NextGeneration(uint generation) => (generation + 1) & GenerationMask;

    public ulong Value => (uint)Slot | ((ulong)(Side & 1) << 32) | ((ulong)Generation << 33);

    public static EpollToken From(ulong value) => new((int)(uint)value, (int)((value >> 32) & 1), (uint)(value >> 33));
}
