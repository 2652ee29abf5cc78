using System.Buffers.Binary;
using System.Net;
using CloudCoreLb.Vrrp;
using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Fuzz;

/// <summary>
/// Writes the binary seeds (corpus/vrrp-v2, vrrp-v3, netlink) with the product's own writers, so the committed
/// seeds are valid packets and can be made again: <c>CloudCoreLb.Fuzz write-seeds benchmarks/CloudCoreLb.Fuzz/corpus</c>.
/// </summary>
internal static class SeedWriter
{
    private static readonly uint s_peer = Ipv4Address.ToUInt32(IPAddress.Parse("10.10.102.11"));

    public static void WriteAll(string corpus)
    {
        Write(corpus, "vrrp-v2", "seed-pass", V2(167, VrrpAuthType.SimpleText, "1111", ["10.10.102.242"], "224.0.0.19"));
        Write(corpus, "vrrp-v2", "unicast-three-vips", V2(51, VrrpAuthType.None, null, ["10.0.0.3", "10.0.0.1", "10.0.0.2"], "10.10.102.10"));
        Write(corpus, "vrrp-v2", "owner-priority-255", V2(167, VrrpAuthType.SimpleText, "1111", ["10.9.9.9"], "224.0.0.19", priority: 255));
        Write(corpus, "vrrp-v3", "ipv4-pseudo-header", V3IPv4(VrrpV3Checksum.PseudoHeader, VrrpV3Advertisement.IPv4Group));
        Write(corpus, "vrrp-v3", "ipv4-without-pseudo-header", V3IPv4(VrrpV3Checksum.WithoutPseudoHeader, IPAddress.Parse("10.10.102.10")));
        var message = new byte[64];
        var length = VrrpV3AdvertisementWriter.Write(message, 167, 100, 100, [IPAddress.Parse("2001:db8::242"), IPAddress.Parse("fe80::242")], IPAddress.Parse("fe80::11"), VrrpV3Advertisement.IPv6Group);
        Write(corpus, "vrrp-v3", "ipv6-message", message[..length]);
        var link = Netlink(16, Link(2, 0x10043, ("eth0\0"u8.ToArray(), 3), ([0x52, 0x54, 0, 0x12, 0x34, 0x56], 1), ([6], 16)));
        var address = Netlink(20, Address(2, 24, 2, ([10, 10, 102, 242], 2), ([10, 10, 102, 242], 1), ("eth0:vip\0"u8.ToArray(), 3)));
        var address6 = Netlink(21, Address(10, 64, 2, ([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x42], 2)));
        Write(corpus, "netlink", "newlink", link);
        Write(corpus, "netlink", "newaddr", address);
        Write(corpus, "netlink", "deladdr-ipv6", address6);
        Write(corpus, "netlink", "dump-link-addr-done", [.. link, .. address, .. Netlink(3, [0, 0, 0, 0])]);
        Write(corpus, "netlink", "error-ack", Netlink(2, [0, 0, 0, 0, .. new byte[16]]));
        Write(corpus, "netlink", "error-eexist", Netlink(2, [0xEF, 0xFF, 0xFF, 0xFF, .. new byte[16]]));
    }

    private static byte[] V2(byte vrid, VrrpAuthType auth, string? password, string[] vips, string destination, byte priority = 100)
    {
        var addresses = vips.Select(v => Ipv4Address.ToUInt32(IPAddress.Parse(v))).ToArray();
        var datagram = new byte[20 + VrrpAdvertisement.GetLength(addresses.Length)];
        VrrpAdvertisementWriter.Write(datagram.AsSpan(20), vrid, priority, auth, 1, addresses, VrrpAuthData.Create(auth, password));
        Ipv4Header.Write(datagram, (ushort)datagram.Length, 1, 255, 112, s_peer, Ipv4Address.ToUInt32(IPAddress.Parse(destination)));
        return datagram;
    }

    private static byte[] V3IPv4(VrrpV3Checksum checksum, IPAddress destination)
    {
        var datagram = new byte[20 + VrrpV3Advertisement.GetLength(1, System.Net.Sockets.AddressFamily.InterNetwork)];
        VrrpV3AdvertisementWriter.Write(datagram.AsSpan(20), 167, 100, 100, [IPAddress.Parse("10.10.102.242")], IPAddress.Parse("10.10.102.11"), destination, checksum);
        Ipv4Header.Write(datagram, (ushort)datagram.Length, 1, 255, 112, s_peer, Ipv4Address.ToUInt32(destination));
        return datagram;
    }

    // struct nlmsghdr (netlink(7)) around a payload, padded to 4 bytes.
    private static byte[] Netlink(ushort type, byte[] payload)
    {
        var message = new byte[Align(16 + payload.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)(16 + payload.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(6), 2); // NLM_F_MULTI
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(8), 7);
        payload.CopyTo(message, 16);
        return message;
    }

    // struct ifinfomsg (rtnetlink(7)) and its rtattrs.
    private static byte[] Link(int index, uint flags, params (byte[] Value, ushort Type)[] attributes)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), index);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), flags);
        return [.. header, .. Attributes(attributes)];
    }

    // struct ifaddrmsg (rtnetlink(7)) and its rtattrs.
    private static byte[] Address(byte family, byte prefix, int index, params (byte[] Value, ushort Type)[] attributes)
    {
        var header = new byte[8];
        header[0] = family;
        header[1] = prefix;
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), index);
        return [.. header, .. Attributes(attributes)];
    }

    private static byte[] Attributes((byte[] Value, ushort Type)[] attributes)
    {
        var result = new List<byte>();
        foreach (var (value, type) in attributes)
        {
            var attribute = new byte[Align(4 + value.Length)];
            BinaryPrimitives.WriteUInt16LittleEndian(attribute, (ushort)(4 + value.Length));
            BinaryPrimitives.WriteUInt16LittleEndian(attribute.AsSpan(2), type);
            value.CopyTo(attribute, 4);
            result.AddRange(attribute);
        }

        return [.. result];
    }

    private static int Align(int length) => (length + 3) & ~3;

    private static void Write(string corpus, string target, string name, byte[] data)
    {
        var directory = Path.Combine(corpus, target);
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, name), data);
    }

}
