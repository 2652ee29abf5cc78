using System.Net;

namespace CloudCoreLb.HealthCheck.Probes;

/// <summary>One socket line of <c>/proc/net/tcp</c> or <c>/proc/net/tcp6</c>.</summary>
/// <param name="LocalAddress">Local address (<c>0.0.0.0</c> / <c>::</c> for a wildcard bind).</param>
/// <param name="LocalPort">Local port.</param>
/// <param name="State">Kernel TCP state (<c>include/net/tcp_states.h</c>): 0x0A = LISTEN, 0x06 = TIME_WAIT, ...</param>
internal readonly record struct ProcNetTcpEntry(IPAddress LocalAddress, int LocalPort, byte State)
{
    /// <summary><c>TCP_LISTEN</c>.</summary>
    public const byte ListenState = 0x0A;

    /// <summary>True for a socket in LISTEN state.</summary>
    public bool IsListening => State == ListenState;
}
