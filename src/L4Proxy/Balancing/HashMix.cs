using System.Text;

namespace CloudCoreLb.L4Proxy.Balancing;

/// <summary>
/// Fixed, documented hash functions, so a client maps to the same server in every process, on every node and in every
/// version: never <see cref="string.GetHashCode()"/> or <see cref="HashCode"/> (randomised per process).
/// </summary>
internal static class HashMix
{
    /// <summary>MurmurHash3's 64-bit finaliser (fmix64): a bijective avalanche mix.</summary>
    public static ulong Mix64(ulong k)
    {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdUL;
        k ^= k >> 33;
        k *= 0xc4ceb9fe1a85ec53UL;
        k ^= k >> 33;
        return k;
    }

    /// <summary>Hash of an IPv4 address; the tag keeps IPv4 and IPv6 domains apart.</summary>
    public static ulong HashIPv4(uint address) => Mix64(0x4_0000_0000UL | address);

    /// <summary>Hash of an IPv6 address given as two big-endian halves.</summary>
    public static ulong HashIPv6(ulong high, ulong low) => Mix64(Mix64(high ^ 0x6_0000_0000_0000UL) ^ low);

    /// <summary>64-bit FNV-1a of the UTF-8 bytes of a server identity, then mixed; computed at configuration time.</summary>
    public static ulong HashIdentity(string identity)
    {
        var hash = 0xcbf29ce484222325UL;
        foreach (var b in Encoding.UTF8.GetBytes(identity))
        {
            hash ^= b;
            hash *= 0x100000001b3UL;
        }

        return Mix64(hash);
    }

    /// <summary>The rendezvous score of a (client, server) pair: highest wins.</summary>
    public static ulong Score(ulong client, ulong server) => Mix64(client ^ server);
}
