using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CloudCoreLb.HealthCheck.Probes;

/// <summary>
/// Parses <c>/proc/net/tcp</c> and <c>/proc/net/tcp6</c> (kernel <c>net/ipv4/tcp_ipv4.c</c> <c>get_tcp4_sock</c>,
/// <c>net/ipv6/tcp_ipv6.c</c> <c>get_tcp6_sock</c>). A line reads
/// <c>sl: LOCAL_ADDR:PORT REM_ADDR:PORT ST ...</c> where the port is 4 hex digits of the host-order value and the
/// address is the raw <c>__be32</c> words printed with <c>%08X</c>, i.e. in the CPU's byte order.
/// </summary>
/// <remarks>
/// Ports are compared as numbers, never as text: the seed's <c>netstat -nlp | grep 10000</c> also matched 100001,
/// 10000x and remote ports (docs/design/kubeedge.md §4, keepalived #1675).
/// </remarks>
internal static class ProcNetTcpParser
{
    /// <summary>
    /// True when <paramref name="content"/> lists a LISTEN socket on <paramref name="port"/> whose local address
    /// accepts connections to <paramref name="address"/> (null = any local address).
    /// </summary>
    public static bool ContainsListener(ReadOnlySpan<char> content, int port, IPAddress? address)
    {
        foreach (var range in content.Split('\n'))
        {
            if (TryParseLine(content[range], out var entry) && Matches(entry, port, address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True for a LISTEN entry on <paramref name="port"/> that accepts <paramref name="address"/>.</summary>
    public static bool Matches(in ProcNetTcpEntry entry, int port, IPAddress? address)
    {
        if (!entry.IsListening || entry.LocalPort != port)
        {
            return false;
        }

        if (address is null || IsWildcard(entry.LocalAddress))
        {
            // A wildcard listener takes connections to every local address. An [::] socket with IPV6_V6ONLY would
            // not take IPv4, which /proc does not show; we accept that approximation.
            return true;
        }

        return Normalize(entry.LocalAddress).Equals(Normalize(address));
    }

    /// <summary>Parses one line; false for the header, blank lines and malformed lines.</summary>
    public static bool TryParseLine(ReadOnlySpan<char> line, out ProcNetTcpEntry entry)
    {
        entry = default;
        line = line.Trim();
        var colon = line.IndexOf(':');
        if (colon <= 0 || !IsDecimal(line[..colon]))
        {
            return false; // header ("sl local_address ...") or garbage
        }

        var rest = line[(colon + 1)..].TrimStart();
        var local = NextField(ref rest);
        NextField(ref rest); // remote address:port
        var state = NextField(ref rest);

        var portSeparator = local.IndexOf(':');
        if (portSeparator < 0)
        {
            return false;
        }

        var addressHex = local[..portSeparator];
        var portHex = local[(portSeparator + 1)..];
        if (portHex.Length != 4
            || !ushort.TryParse(portHex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var port)
            || state.Length != 2
            || !byte.TryParse(state, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var st)
            || !TryParseAddress(addressHex, out var ip))
        {
            return false;
        }

        entry = new ProcNetTcpEntry(ip, port, st);
        return true;
    }

    private static bool TryParseAddress(ReadOnlySpan<char> hex, out IPAddress address)
    {
        address = IPAddress.None;
        if (hex.Length != 8 && hex.Length != 32)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[hex.Length / 2];
        for (var word = 0; word < bytes.Length / 4; word++)
        {
            if (!uint.TryParse(hex.Slice(word * 8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            // The kernel printed the network-order word as a native integer; writing it back natively restores the
            // network byte order.
            var target = bytes.Slice(word * 4, 4);
            if (BitConverter.IsLittleEndian)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(target, value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(target, value);
            }
        }

        address = new IPAddress(bytes);
        return true;
    }

    private static ReadOnlySpan<char> NextField(ref ReadOnlySpan<char> rest)
    {
        rest = rest.TrimStart();
        var end = rest.IndexOfAny(' ', '\t');
        if (end < 0)
        {
            var last = rest;
            rest = default;
            return last;
        }

        var field = rest[..end];
        rest = rest[end..];
        return field;
    }

    private static bool IsDecimal(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsWildcard(IPAddress address) =>
        address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static IPAddress Normalize(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6
            ? address.MapToIPv4()
            : address;
}
