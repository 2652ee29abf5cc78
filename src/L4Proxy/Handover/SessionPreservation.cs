using System.Collections.Concurrent;
using System.Globalization;

namespace CloudCoreLb.L4Proxy.Handover;

/// <summary>
/// Crash recovery of sessions (docs/design/upgrade.md, "Crash recovery"). A session that has lived longer than
/// <see cref="Threshold"/> stores copies of its two sockets in an <see cref="IDescriptorStore"/> and owns one slot of a
/// journal that outlives the process (a memfd the store keeps too). The slot says, at every instant, whether the
/// session could be resumed after a crash: <c>busy</c> while bytes are read and not yet written (in a user-space
/// buffer or a splice pipe, which the store does not keep) or once a side half-closed. A restarted process resumes
/// the sessions whose slot says settled and closes the others: never a resumed stream with a gap. Short sessions
/// pay nothing; a stored one pays two plain memory writes per transfer.
/// </summary>
public sealed unsafe class SessionPreservation
{
    /// <summary>Bytes per journal slot: u32 sequence (0 = free), u32 flags.</summary>
    public const int SlotSize = 8;

    private const uint Busy = 1;

    private readonly uint* _slots;
    private readonly Lock _lock = new();
    private readonly Stack<int> _free = new();
    private readonly ConcurrentDictionary<int, string> _names = new();
    private uint _sequence;
    private volatile bool _detached;

    /// <summary>Uses <paramref name="slotCount"/> slots at <paramref name="journal"/> (memory shared with the store's copy).</summary>
    /// <param name="store">Where descriptors go.</param>
    /// <param name="journal">Start of the slot region; it must stay mapped for the life of this object.</param>
    /// <param name="slotCount">Slots in the region: at most this many sessions are stored at once.</param>
    /// <param name="threshold">Age from which a session is stored.</param>
    /// <param name="recovered">Whether the region holds a previous process's slots (kept for <see cref="ProxyRuntime.RecoverAsync"/>) or is new.</param>
    public SessionPreservation(IDescriptorStore store, nint journal, int slotCount, TimeSpan threshold, bool recovered)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(slotCount, 1);
        Store = store;
        _slots = (uint*)journal;
        SlotCount = slotCount;
        Threshold = threshold;
        for (var slot = slotCount - 1; slot >= 0; slot--)
        {
            if (!recovered)
            {
                _slots[slot * 2] = 0;
                _slots[(slot * 2) + 1] = 0;
            }

            _sequence = Math.Max(_sequence, _slots[slot * 2]);
        }

        if (!recovered)
        {
            ReleaseUnclaimed(new HashSet<int>());
        }
    }

    /// <summary>The store descriptors go to.</summary>
    public IDescriptorStore Store { get; }

    /// <summary>Slots in the journal.</summary>
    public int SlotCount { get; }

    /// <summary>Age from which a session is stored.</summary>
    public TimeSpan Threshold { get; }

    /// <summary>Sessions stored now.</summary>
    public int Preserved => _names.Count;

    /// <summary>Name of a stored listener.</summary>
    public static string ListenerName(string frontend) => "l." + frontend;

    /// <summary>Name of a stored session.</summary>
    public static string SessionName(int slot, uint sequence) => string.Create(CultureInfo.InvariantCulture, $"s{slot}.{sequence}");

    /// <summary>Parses a <see cref="SessionName"/>.</summary>
    public static bool TryParseSessionName(string name, out int slot, out uint sequence)
    {
        slot = -1;
        sequence = 0;
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return name.Length > 3 && name[0] == 's' && dot > 1
            && int.TryParse(name.AsSpan(1, dot - 1), NumberStyles.None, CultureInfo.InvariantCulture, out slot)
            && uint.TryParse(name.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }

    /// <summary>Stores a settled session's two sockets; false when the journal is full or preservation stopped.</summary>
    internal bool TryPreserve(int clientFd, int serverFd, out int slot, out string name)
    {
        name = "";
        lock (_lock)
        {
            if (_detached || !_free.TryPop(out slot))
            {
                slot = -1;
                return false;
            }

            _sequence = _sequence == uint.MaxValue ? 1 : _sequence + 1;
            name = SessionName(slot, _sequence);
            // The slot first: a crash between the two finds a stored session without a slot and closes it.
            Volatile.Write(ref _slots[(slot * 2) + 1], 0u);
            Volatile.Write(ref _slots[slot * 2], _sequence);
        }

        _names[slot] = name;
        Store.Store(name, [clientFd, serverFd]);
        return true;
    }

    /// <summary>Bytes are about to be read, or a side half-closed: a crash now must not resume the session.</summary>
    internal void MarkBusy(int slot) => Volatile.Write(ref _slots[(slot * 2) + 1], Busy);

    /// <summary>Nothing is in flight: the session can be resumed from here.</summary>
    internal void MarkSettled(int slot) => Volatile.Write(ref _slots[(slot * 2) + 1], 0u);

    /// <summary>The session ended (or moved to another process): its copies leave the store and the slot is free.</summary>
    internal void Release(int slot)
    {
        if (!_names.TryRemove(slot, out var name))
        {
            return;
        }

        if (!_detached)
        {
            Store.Remove(name);
        }

        lock (_lock)
        {
            Volatile.Write(ref _slots[slot * 2], 0u);
            _free.Push(slot);
        }
    }

    /// <summary>
    /// Before another process becomes the service's main process (an upgrade): every stored session leaves the store
    /// now, while the service manager still takes this process's requests, and nothing is stored from here on.
    /// </summary>
    public void Detach()
    {
        lock (_lock)
        {
            _detached = true;
        }

        foreach (var (slot, name) in _names)
        {
            Store.Remove(name);
            Volatile.Write(ref _slots[slot * 2], 0u);
        }
    }

    /// <summary>Whether the journal has the previous process's session stored as <paramref name="slot"/>/<paramref name="sequence"/>.</summary>
    internal bool Knows(int slot, uint sequence) => (uint)slot < (uint)SlotCount && sequence != 0 && _slots[slot * 2] == sequence;

    /// <summary>Whether that session had nothing in flight, so it can be resumed.</summary>
    internal bool IsSettled(int slot) => _slots[(slot * 2) + 1] == 0;

    /// <summary>A recovered session keeps its slot and stored copies.</summary>
    internal void Claim(int slot, string name) => _names[slot] = name;

    /// <summary>After recovery: every slot no recovered session claimed is free.</summary>
    internal void ReleaseUnclaimed(IReadOnlySet<int> claimed)
    {
        lock (_lock)
        {
            _free.Clear();
            for (var slot = SlotCount - 1; slot >= 0; slot--)
            {
                if (!claimed.Contains(slot))
                {
                    _slots[slot * 2] = 0;
                    _slots[(slot * 2) + 1] = 0;
                    _free.Push(slot);
                }
            }
        }
    }
}
