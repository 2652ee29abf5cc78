namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>
/// Every live session in one slot array, so the timeout sweeper, shutdown-sessions and stop can walk them without a
/// per-connection timer or dictionary node. Add/remove take a short lock; walking is lock-free over a snapshot.
/// </summary>
internal sealed class ConnectionTable
{
    private readonly Lock _lock = new();
    private ProxyConnection?[] _slots = new ProxyConnection?[256];
    private int[] _free = new int[256];
    private int _freeCount;
    private int _used;
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public int Add(ProxyConnection connection)
    {
        lock (_lock)
        {
            int slot;
            if (_freeCount > 0)
            {
                slot = _free[--_freeCount];
            }
            else
            {
                if (_used == _slots.Length)
                {
                    var grown = new ProxyConnection?[_slots.Length * 2];
                    Array.Copy(_slots, grown, _slots.Length);
                    Array.Resize(ref _free, grown.Length);
                    Volatile.Write(ref _slots, grown);
                }

                slot = _used++;
            }

            Volatile.Write(ref _slots[slot], connection);
            _count++;
            return slot;
        }
    }

    public void Remove(int slot)
    {
        lock (_lock)
        {
            Volatile.Write(ref _slots[slot], null);
            _free[_freeCount++] = slot;
            _count--;
        }
    }

    /// <summary>Calls <paramref name="action"/> for every live connection.</summary>
    public void ForEach<TState>(Action<ProxyConnection, TState> action, TState state)
    {
        var slots = Volatile.Read(ref _slots);
        var used = Math.Min(Volatile.Read(ref _used), slots.Length);
        for (var i = 0; i < used; i++)
        {
            if (Volatile.Read(ref slots[i]) is { } connection)
            {
                action(connection, state);
            }
        }
    }
}
