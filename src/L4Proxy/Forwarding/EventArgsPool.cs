using System.Net.Sockets;

namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>
/// Recycles socket event args (<see cref="SessionPump"/>, <see cref="ConnectEventArgs"/>): a SocketAsyncEventArgs with
/// its cached completion delegate is the largest allocation of a short session, and at thousands of connections per
/// second the garbage costs gen0 collections. Bounded, so a burst of sessions does not pin memory after it ended.
/// </summary>
internal sealed class EventArgsPool<T>
    where T : SocketAsyncEventArgs
{
    private readonly Func<T> _create;
    private readonly T?[] _items;
    private readonly Lock _lock = new();
    private int _count;

    public EventArgsPool(Func<T> create, int capacity = 512)
    {
        _create = create;
        _items = new T?[capacity];
    }

    public T Rent()
    {
        lock (_lock)
        {
            if (_count > 0)
            {
                var item = _items[--_count]!;
                _items[_count] = null;
                return item;
            }
        }

        return _create();
    }

    /// <summary>Only for event args with no operation pending.</summary>
    public void Return(T item)
    {
        lock (_lock)
        {
            if (_count < _items.Length)
            {
                _items[_count++] = item;
                return;
            }
        }

        item.Dispose();
    }
}
