using System.Net;
using CloudCoreLb.Vrrp.Diagnostics;
using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp.Router;

// VRRPv3 (RFC 5798) over IPv4 and IPv6: the state machine is v2's; what differs is the advert (centisecond interval, no
// authentication, pseudo-header checksum), the validator, and the timing, which scales with the interval the current
// master advertises (§6.1) instead of the fixed one second of RFC 3768's skew.
internal sealed partial class VrrpRouter
{
    private static readonly TimeSpan s_centisecond = TimeSpan.FromMilliseconds(10);

    private readonly VrrpV3AdvertValidator? _v3Validator;
    private readonly IPAddress? _v3Destination;

    // RFC 5798 §6.1 Master_Adver_Interval: our own interval while master or before any master is heard, the master's
    // advertised one once a backup accepts it (§6.4.2). Equal to the configured interval for VRRPv2.
    private TimeSpan _masterAdvertInterval;

    /// <summary>The interval the master-down timer is derived from (RFC 5798 §6.1 Master_Adver_Interval).</summary>
    internal TimeSpan MasterAdvertInterval
    {
        get
        {
            lock (_gate)
            {
                return _masterAdvertInterval;
            }
        }
    }

    /// <summary>
    /// RFC 5798 §6.1 Skew_Time = ((256 - Priority) x Master_Adver_Interval) / 256, truncated to whole microseconds
    /// like v2's (keepalived's timer resolution); VRRPv2 keeps RFC 3768's (256 - Priority) / 256 s.
    /// </summary>
    internal static TimeSpan V3Skew(byte priority, TimeSpan masterAdvertInterval) =>
        TimeSpan.FromTicks((256 - priority) * (masterAdvertInterval.Ticks / TimeSpan.TicksPerMicrosecond) / 256 * TimeSpan.TicksPerMicrosecond);

    private TimeSpan SkewTime(byte priority) => _v3Validator is null ? Skew(priority) : V3Skew(priority, _masterAdvertInterval);

    private static (VrrpV3AdvertValidator? Validator, IPAddress? Destination) CreateVersion3(VrrpInstanceOptions options, IPAddress source)
    {
        if (options.Version != 3)
        {
            return (null, null);
        }

        var vips = options.VirtualAddresses.Select(v => v.Address).ToArray();
        var group = options.IsUnicast ? null : options.AdvertGroup;
        return (new VrrpV3AdvertValidator((byte)options.VirtualRouterId, vips, source, group), VrrpV3AdvertisementWriter.ChecksumDestination(options, source));
    }

    private void SetAdvertPriority(byte priority)
    {
        if (_v3Validator is null)
        {
            VrrpAdvertisementWriter.SetPriority(_advert, priority);
        }
        else
        {
            VrrpV3AdvertisementWriter.SetPriority(_advert, priority, _sourceAddress, _v3Destination!);
        }
    }

    private void LogStarting()
    {
        var mode = _options.IsUnicast ? "unicast" : $"multicast {_options.AdvertGroup}";
        if (_v3Validator is null)
        {
            VrrpLog.Starting(_logger, _options.Name, _options.Interface, (byte)_options.VirtualRouterId, _effectivePriority, _advertIntervalSeconds, _sourceAddress, mode);
        }
        else
        {
            VrrpLog.StartingV3(_logger, _options.Name, _options.Interface, (byte)_options.VirtualRouterId, _effectivePriority, _advertInterval.TotalMilliseconds, _sourceAddress, mode);
        }
    }

    /// <summary>RFC 5798 §6.4.2 / §6.4.3: a backup follows the interval of the master it accepts.</summary>
    private void AdoptMasterInterval(TimeSpan? advertised)
    {
        if (advertised is { } interval && interval != _masterAdvertInterval)
        {
            VrrpLog.MasterIntervalAdopted(_logger, _options.Name, _masterAdvertInterval.TotalMilliseconds, interval.TotalMilliseconds);
            _masterAdvertInterval = interval;
        }
    }

    private void ReceiveV3Locked(ReadOnlySpan<byte> datagram, IPAddress destination)
    {
        if (_family != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            // An IPv6 instance is fed through OnIPv6Datagram; an IPv4 datagram cannot be for it.
            Counters.Dropped(VrrpDropReason.DestinationMismatch);
            return;
        }

        var reason = _v3Validator!.ValidateIPv4(datagram, destination, out var ip, out var advert);
        DeliverV3(reason, ip.Source, advert);
    }

    private void ReceiveIPv6Locked(ReadOnlySpan<byte> message, IPAddress source, IPAddress destination, int hopLimit)
    {
        if (_v3Validator is null || _family != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            Counters.Dropped(VrrpDropReason.DestinationMismatch);
            return;
        }

        // A hop limit other than 255 is counted as InvalidTtl by the validator (RFC 5798 §7.1: the packet may have
        // been forwarded); IPv6 has no header checksum, the VRRP checksum over the pseudo-header is checked once here.
        var reason = _v3Validator.ValidateIPv6(message, source, destination, hopLimit, out var advert);
        DeliverV3(reason, RouterAddressKey.From(source), advert);
    }

    private void DeliverV3(VrrpDropReason reason, UInt128 source, in VrrpV3Advertisement advert)
    {
        // The v2 validator's order: past our own advert, a sender outside the peer list goes before the VIP checks.
        // (An unknown VRID and a router not listening are decided in Deliver before this reason is looked at.)
        if ((reason is VrrpDropReason.None or VrrpDropReason.AddressCountMismatch or VrrpDropReason.AddressListMismatch)
            && _options.IsUnicast && !IsUnicastPeer(source))
        {
            reason = VrrpDropReason.NotAUnicastPeer;
        }

        // VRRPv3 has no authentication field: auth type 0.
        Deliver(reason, source, advert.VirtualRouterId, advert.Priority, advert.AddressCount, 0,
            advert.MaxAdvertIntervalCentiseconds * s_centisecond, adoptInterval: true);
    }

    private bool IsUnicastPeer(UInt128 source)
    {
        foreach (var peer in _options.UnicastPeers)
        {
            if (peer.AddressFamily == _family && RouterAddressKey.From(peer) == source)
            {
                return true;
            }
        }

        return false;
    }
}
