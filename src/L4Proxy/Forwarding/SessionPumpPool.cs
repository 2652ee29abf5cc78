namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>
/// Recycles <see cref="SessionPump"/>s: a SocketAsyncEventArgs with its cached completion delegate is the largest
/// allocation of a short session, and at thousands of connections per second the garbage costs gen0 collections.
/// Bounded, so a burst of sessions does not pin memory after it ended.
/// </summary>
internal sealed class SessionPumpPool
{
    private readonly IDuplexCopier _copier;
    private readonly SessionPump?[] _items;
    private readonly Lock _lock = new();
    private int _count;

    public SessionPumpPool(IDuplexCopier copier, int capacity = 512)
    {
        _copier = copier;
        _items = new SessionPump?[capacity];
    }

    public SessionPump Rent()
    {
        lock (_lock)
        {
            if (_count > 0)
            {
                var pump = _items[--_count]!;
                _items[_count] = null;
                return pump;
            }
        }

        return new SessionPump(_copier);
    }

    /// <summary>Only for pumps whose direction has ended (no operation pending).</summary>
    public void Return(SessionPump pump)
    {
        pump.Reset();
        lock (_lock)
        {
            if (_count < _items.Length)
            {
                _items[_count++] = pump;
                return;
            }
        }

        pump.Dispose();
    }
}
