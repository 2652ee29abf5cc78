using System.Net;
using CloudCoreLb.Fuzz.Engine;
using CloudCoreLb.HealthCheck.Probes;

namespace CloudCoreLb.Fuzz.Targets;

/// <summary>
/// <c>/proc/net/tcp</c> and <c>/proc/net/tcp6</c> content through the listener probe's parser: the whole file for a
/// wildcard, an IPv4 and an IPv6 listener, and every line on its own.
/// </summary>
internal sealed class ProcNetTcpTarget : FuzzTarget
{
    private static readonly IPAddress s_loopback6 = IPAddress.Parse("::1");

    public override string Name => "proc-net-tcp";

    public override int MaxInputLength => 16384;

    public override IReadOnlyList<byte[]> Dictionary => Words(
        "\n", " ", ": ", ":2710", ":0016", " 0A ", " 01 ", "00000000", "0100007F", "00000000000000000000000000000000",
        "00000000000000000000000001000000", "0000000000000000FFFF00000100007F", "  sl  local_address rem_address   st", "   0: ");

    public override FuzzOutcome Run(ReadOnlySpan<byte> input)
    {
        var content = Text(input);
        var found = ProcNetTcpParser.ContainsListener(content, 10000, null);
        found |= ProcNetTcpParser.ContainsListener(content, 10000, IPAddress.Loopback);
        found |= ProcNetTcpParser.ContainsListener(content, 22, s_loopback6);
        foreach (var range in content.AsSpan().Split('\n'))
        {
            if (ProcNetTcpParser.TryParseLine(content.AsSpan()[range], out var entry))
            {
                _ = (entry.IsListening, entry.LocalPort, entry.LocalAddress);
            }
        }

        return found ? FuzzOutcome.Accepted : FuzzOutcome.Rejected;
    }
}
