using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>
/// A reusable awaitable connect (the shape of Kestrel's <c>SocketAwaitableEventArgs</c>):
/// <see cref="Socket.ConnectAsync(EndPoint)"/> allocates fresh event args per call, this one comes from an
/// <see cref="EventArgsPool{T}"/>. Errors come back as a <see cref="SocketError"/>, not an exception.
/// </summary>
internal sealed class ConnectEventArgs : SocketAsyncEventArgs, IValueTaskSource<SocketError>
{
    private ManualResetValueTaskSourceCore<SocketError> _source;

    public ConnectEventArgs()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>Starts a connect; the args must not be reused before the returned task completed.</summary>
    public ValueTask<SocketError> ConnectAsync(Socket socket, EndPoint endPoint)
    {
        _source.Reset();
        RemoteEndPoint = endPoint;
        return socket.ConnectAsync(this) ? new ValueTask<SocketError>(this, _source.Version) : new ValueTask<SocketError>(SocketError);
    }

    protected override void OnCompleted(SocketAsyncEventArgs e) => _source.SetResult(SocketError);

    SocketError IValueTaskSource<SocketError>.GetResult(short token) => _source.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<SocketError>.GetStatus(short token) => _source.GetStatus(token);

    void IValueTaskSource<SocketError>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _source.OnCompleted(continuation, state, token, flags);
}
