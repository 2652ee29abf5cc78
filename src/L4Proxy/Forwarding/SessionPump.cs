using System.Net.Sockets;

namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>
/// Drives one direction of an established session with completion callbacks (the shape of Kestrel's
/// <c>SocketReceiver</c>): a zero-byte receive waits for readability, the copier moves what is queued, the receive is
/// re-armed. While a session is idle this object is all that direction holds: no suspended async state machine, no
/// Task, no buffer or pipe, and the socket never creates its own cached receive event args.
/// </summary>
internal sealed class SessionPump : SocketAsyncEventArgs
{
    private readonly IDuplexCopier _copier;
    private ProxyConnection _connection = null!;
    private Socket _source = null!;
    private Socket _destination = null!;
    private bool _fromClient;
    private int _ended;

    public SessionPump(IDuplexCopier copier)
        : base(unsafeSuppressExecutionContextFlow: true)
    {
        _copier = copier;
        SetBuffer(Memory<byte>.Empty);
    }

    /// <summary>Starts pumping one direction; the pump may come from a <see cref="EventArgsPool{T}"/>.</summary>
    public void Start(ProxyConnection connection, Socket source, Socket destination, bool fromClient)
    {
        _connection = connection;
        _source = source;
        _destination = destination;
        _fromClient = fromClient;
        _ended = 0;
        Arm();
    }

    /// <summary>Drops the session's references before the pump goes back to the pool.</summary>
    public void Reset()
    {
        _connection = null!;
        _source = null!;
        _destination = null!;
    }

    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        if (OnReadable())
        {
            Arm();
        }
    }

    /// <summary>Waits for readability; loops while receives complete synchronously.</summary>
    private void Arm()
    {
        try
        {
            while (true)
            {
                if (_source.ReceiveAsync(this))
                {
                    return;
                }

                if (!OnReadable())
                {
                    return;
                }
            }
        }
        catch (ObjectDisposedException)
        {
            End(CopyResult.Aborted);
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    /// <summary>True when the receive must be re-armed; false when the direction ended or a burst went async.</summary>
    private bool OnReadable()
    {
        try
        {
            if (SocketError != SocketError.Success)
            {
                End(SocketError == SocketError.OperationAborted ? CopyResult.Aborted : CopyResult.SourceError);
                return false;
            }

            var burst = _copier.CopyAvailableAsync(_source, _destination, _connection, _fromClient);
            if (!burst.IsCompletedSuccessfully)
            {
                _ = AwaitBurstAsync(burst);
                return false;
            }

            if (burst.Result is { } result)
            {
                End(result);
                return false;
            }

            return true;
        }
        catch (ObjectDisposedException)
        {
            End(CopyResult.Aborted);
            return false;
        }
        catch (Exception ex)
        {
            Fail(ex);
            return false;
        }
    }

    /// <summary>The destination was full: only now does this direction hold an async method, until it drained.</summary>
    private async Task AwaitBurstAsync(ValueTask<CopyResult?> burst)
    {
        CopyResult? result;
        try
        {
            result = await burst.ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            result = CopyResult.Aborted;
        }
        catch (Exception ex)
        {
            Fail(ex);
            return;
        }

        if (result is { } ended)
        {
            End(ended);
        }
        else
        {
            Arm();
        }
    }

    private void Fail(Exception ex)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            _connection.OnPumpFailed(ex);
        }
    }

    private void End(CopyResult result)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            _connection.OnPumpEnded(_fromClient, result);
        }
    }
}
