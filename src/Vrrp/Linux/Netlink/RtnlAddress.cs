using System.Buffers.Binary;
using System.Net;
using System.Text;
using static CloudCoreLb.Vrrp.Linux.Netlink.NetlinkConstants;

namespace CloudCoreLb.Vrrp.Linux.Netlink;

/// <summary>
/// An IPv4 or IPv6 address as RTM_NEWADDR / RTM_DELADDR describe it: struct ifaddrmsg plus IFA_LOCAL, IFA_ADDRESS, IFA_LABEL
/// and IFA_PROTO (rtnetlink(7), linux/if_addr.h).
/// </summary>
internal readonly record struct RtnlAddress(
    byte Family,
    byte PrefixLength,
    byte Flags,
    byte Scope,
    int InterfaceIndex,
    IPAddress? Local,
    IPAddress? Address,
    string? Label,
    byte Protocol)
{
    /// <summary>The interface's own address: IFA_LOCAL, or IFA_ADDRESS when there is no peer (ip-address(8)).</summary>
    public IPAddress? EffectiveAddress => Local ?? Address;

    /// <summary>Parses the payload of an RTM_NEWADDR / RTM_DELADDR message (the bytes after nlmsghdr).</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out RtnlAddress address)
    {
        address = default;
        if (payload.Length < IfAddrMsgLength)
        {
            return false;
        }

        IPAddress? local = null;
        IPAddress? peer = null;
        string? label = null;
        byte protocol = 0;
        var attributes = new RtAttributeReader(payload[IfAddrMsgLength..]);
        while (attributes.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case IFA_LOCAL when value.Length is 4 or 16:
                    local = new IPAddress(value);
                    break;
                case IFA_ADDRESS when value.Length is 4 or 16:
                    peer = new IPAddress(value);
                    break;
                case IFA_LABEL:
                    label = ReadString(value);
                    break;
                case IFA_PROTO when value.Length >= 1:
                    protocol = value[0];
                    break;
            }
        }

        address = new RtnlAddress(
            payload[0],
            payload[1],
            payload[2],
            payload[3],
            BinaryPrimitives.ReadInt32LittleEndian(payload[4..]),
            local,
            peer,
            label,
            protocol);
        return true;
    }

    internal static string ReadString(ReadOnlySpan<byte> value)
    {
        var end = value.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end >= 0 ? value[..end] : value);
    }
}
