using System.Buffers.Binary;
using System.Net.NetworkInformation;
using static CloudCoreLb.Vrrp.Linux.Netlink.NetlinkConstants;

namespace CloudCoreLb.Vrrp.Linux.Netlink;

/// <summary>
/// A link as RTM_NEWLINK / RTM_DELLINK describe it: struct ifinfomsg plus IFLA_IFNAME, IFLA_ADDRESS and
/// IFLA_OPERSTATE (rtnetlink(7), linux/if_link.h).
/// </summary>
internal readonly record struct RtnlLink(int InterfaceIndex, uint Flags, string? Name, PhysicalAddress? HardwareAddress, byte OperState)
{
    /// <summary>
    /// Up and running: administratively up (IFF_UP) with the driver reporting it operational (IFF_RUNNING). A pulled
    /// cable or a peer veth going down clears IFF_RUNNING but leaves IFF_UP set (docs/design/dotnet-notes.md §2).
    /// </summary>
    public bool IsUpAndRunning => (Flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);

    /// <summary>Parses the payload of an RTM_NEWLINK / RTM_DELLINK message (the bytes after nlmsghdr).</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out RtnlLink link)
    {
        link = default;
        if (payload.Length < IfInfoMsgLength)
        {
            return false;
        }

        string? name = null;
        PhysicalAddress? hardwareAddress = null;
        byte operState = 0;
        var attributes = new RtAttributeReader(payload[IfInfoMsgLength..]);
        while (attributes.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case IFLA_IFNAME:
                    name = RtnlAddress.ReadString(value);
                    break;
                case IFLA_ADDRESS:
                    hardwareAddress = new PhysicalAddress(value.ToArray());
                    break;
                case IFLA_OPERSTATE when value.Length >= 1:
                    operState = value[0];
                    break;
            }
        }

        link = new RtnlLink(
            BinaryPrimitives.ReadInt32LittleEndian(payload[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]),
            name,
            hardwareAddress,
            operState);
        return true;
    }
}
