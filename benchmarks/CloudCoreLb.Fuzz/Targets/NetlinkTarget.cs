using CloudCoreLb.Fuzz.Engine;
using CloudCoreLb.Vrrp.Linux.Netlink;
using static CloudCoreLb.Vrrp.Linux.Netlink.NetlinkConstants;

namespace CloudCoreLb.Fuzz.Targets;

/// <summary>
/// A received rtnetlink datagram walked the way the link monitor and the queries walk it (NetlinkLinkMonitor,
/// NetlinkSocket): every message, its error code, and each payload as a link and as an address whatever its type,
/// so a mislabelled message is covered too.
/// </summary>
internal sealed class NetlinkTarget : FuzzTarget
{
    public override string Name => "netlink";

    public override int MaxInputLength => 8192;

    public override IReadOnlyList<byte[]> Dictionary =>
    [
        [16, 0], [17, 0], [20, 0], [21, 0], [2, 0], [3, 0], // RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR, RTM_DELADDR, NLMSG_ERROR, NLMSG_DONE
        [8, 0, 1, 0], [8, 0, 2, 0], [20, 0, 1, 0], [8, 0, 3, 0], [5, 0, 16, 0], [10, 0, 1, 0], [5, 0, 11, 0], // rtattr headers
        [(byte)'e', (byte)'t', (byte)'h', (byte)'0', 0],
    ];

    public override FuzzOutcome Run(ReadOnlySpan<byte> input)
    {
        var parsed = false;
        var reader = new NetlinkMessageReader(input);
        while (reader.TryRead(out var message))
        {
            _ = message.TryGetError(out _);
            if (RtnlLink.TryParse(message.Payload, out var link))
            {
                parsed |= message.Type is RTM_NEWLINK or RTM_DELLINK;
                _ = (link.IsUpAndRunning, link.Name, link.HardwareAddress?.ToString());
            }

            if (RtnlAddress.TryParse(message.Payload, out var address))
            {
                parsed |= message.Type is RTM_NEWADDR or RTM_DELADDR;
                _ = (address.EffectiveAddress?.ToString(), address.Label);
            }
        }

        return parsed && !reader.Malformed ? FuzzOutcome.Accepted : FuzzOutcome.Rejected;
    }
}
