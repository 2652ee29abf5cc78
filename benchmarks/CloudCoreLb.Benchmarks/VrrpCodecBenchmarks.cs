using System.Net;
using BenchmarkDotNet.Attributes;
using CloudCoreLb.Vrrp;
using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Benchmarks;

/// <summary>
/// The VRRPv2 advert codec (RFC 3768 §5.1) with the seed instance: VRID 167, PASS "1111", one VIP. Write = encode the
/// message with its checksum; Validate = the full §7.1 receive check of an IPv4 datagram as the raw socket returns it.
/// </summary>
[MemoryDiagnoser]
public class VrrpCodecBenchmarks
{
    private static readonly IPAddress Group = IPAddress.Parse("224.0.0.19");
    private readonly byte[] _message = new byte[64];
    private readonly byte[] _datagram = new byte[40];
    private readonly uint[] _addresses = [Ipv4Address.ToUInt32(IPAddress.Parse("10.10.102.242"))];
    private byte[] _auth = [];
    private VrrpAdvertValidator _validator = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new VrrpInstanceOptions
        {
            Name = "VI_1",
            VirtualRouterId = 167,
            AuthType = VrrpAuthType.SimpleText,
            AuthPassword = "1111",
            MulticastGroup = Group,
            VirtualAddresses = [new VirtualAddress(IPAddress.Parse("10.10.102.242"), 24)],
        };
        _auth = VrrpAuthData.Create(VrrpAuthType.SimpleText, "1111");
        _validator = new VrrpAdvertValidator(options, IPAddress.Parse("10.10.102.10"));
        VrrpAdvertisementWriter.Write(_datagram.AsSpan(Ipv4Header.MinimumLength), 167, 100, VrrpAuthType.SimpleText, 1, _addresses, _auth);
        Ipv4Header.Write(_datagram, (ushort)_datagram.Length, 1, 255, Ipv4Header.ProtocolVrrp,
            Ipv4Address.ToUInt32(IPAddress.Parse("10.10.102.11")), Ipv4Address.ToUInt32(Group));
        if (_validator.Validate(_datagram, Group, out _, out _) != VrrpDropReason.None)
        {
            throw new InvalidOperationException("The benchmark datagram must be a valid advert.");
        }
    }

    [Benchmark(Description = "VrrpAdvertisementWriter.Write")]
    public int Write() => VrrpAdvertisementWriter.Write(_message, 167, 100, VrrpAuthType.SimpleText, 1, _addresses, _auth);

    [Benchmark(Description = "VrrpAdvertValidator.Validate (valid)")]
    public int Validate() => (int)_validator.Validate(_datagram, Group, out _, out _);
}
