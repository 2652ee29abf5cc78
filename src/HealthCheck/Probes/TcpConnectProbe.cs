using System.Net;
using System.Net.Sockets;

namespace CloudCoreLb.HealthCheck.Probes;

/// <summary>
/// haproxy's L4 check (docs/design/l4proxy.md §2): a TCP connect to the target, closed at once with a single RST (SO_LINGER 0,
/// as haproxy does, so neither side keeps TIME_WAIT). Statuses: <c>L4OK</c> connected, <c>L4CON</c> refused or
/// unreachable, <c>L4TOUT</c> no answer within <see cref="ConnectTimeout"/>, <c>SOCKERR</c> anything else; skipped
/// (neither pass nor fail) when this process has no descriptor left for the probe's socket.
/// </summary>
public sealed class TcpConnectProbe : IHealthProbe
{
    private readonly TimeProvider _time;

    /// <summary>Creates a probe.</summary>
    /// <param name="endPoint">Address and port to connect to.</param>
    /// <param name="connectTimeout">Connect timeout; the probe reports <c>L4TOUT</c> after it.</param>
    /// <param name="time">Clock for the timeout; defaults to the system clock.</param>
    public TcpConnectProbe(IPEndPoint endPoint, TimeSpan connectTimeout, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(connectTimeout, TimeSpan.Zero);
        EndPoint = endPoint;
        ConnectTimeout = connectTimeout;
        _time = time ?? TimeProvider.System;
        Description = $"tcp {endPoint}";
    }

    /// <summary>The checked address.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Connect timeout of one probe.</summary>
    public TimeSpan ConnectTimeout { get; }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    /// <remarks>Cancellation by the caller throws; only the probe's own timeout yields <c>L4TOUT</c>.</remarks>
    public async ValueTask<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        Socket created;
        try
        {
            created = new Socket(EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TooManyOpenSockets)
        {
            // EMFILE/ENFILE is this process's shortage, not the server's fault: a failure here would mark every
            // server down at once while the proxy is busiest. The run records nothing; the next one checks.
            return ProbeResult.Skip($"no file descriptor for the check: {ex.Message}");
        }

        using var socket = created;
        using var timeout = new CancellationTokenSource(ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await socket.ConnectAsync(EndPoint, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail("L4TOUT", $"no connect within {ConnectTimeout.TotalMilliseconds} ms");
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostUnreachable
                                             or SocketError.NetworkUnreachable or SocketError.ConnectionReset)
        {
            return ProbeResult.Fail("L4CON", ex.SocketErrorCode.ToString());
        }
        catch (SocketException ex)
        {
            return ProbeResult.Fail("SOCKERR", ex.SocketErrorCode.ToString());
        }

        // Close with RST: nothing was sent, nothing needs a graceful FIN.
        socket.LingerState = new LingerOption(true, 0);
        return ProbeResult.Ok("L4OK");
    }
}
