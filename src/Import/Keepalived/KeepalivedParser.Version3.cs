using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CloudCoreLb.Import.Keepalived;

/// <summary>
/// VRRPv3 keywords: <c>vrrp_version</c> / <c>version</c>, <c>vrrp_mcast_group6</c>, <c>accept</c> / <c>no_accept</c>,
/// and <c>advert_int</c>, whose unit depends on the version (whole seconds in v2, centiseconds in v3).
/// </summary>
internal sealed partial class KeepalivedParser
{
    private static readonly TimeSpan s_centisecond = TimeSpan.FromMilliseconds(10);

    // By reference: an instance is a record, mutable while it is read, so its value hash changes.
    private readonly Dictionary<KeepalivedInstance, KeepalivedNode> _advertNodes = new(ReferenceEqualityComparer.Instance);

    private bool ReadGlobalV3(KeepalivedConfig config, KeepalivedNode node)
    {
        switch (node.Keyword)
        {
            case "vrrp_version":
                config.Version = Integer(node, 2, 3) ?? config.Version;
                return true;
            case "vrrp_mcast_group6":
                if (Value(node) is { } group)
                {
                    if (IPAddress.TryParse(group, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv6Multicast)
                    {
                        config.MulticastGroup6 = address.ToString();
                    }
                    else
                    {
                        Warn(node, $"vrrp_mcast_group6 {group} is not an IPv6 multicast address; keepalived keeps ff02::12");
                    }
                }

                return true;
            default:
                return false;
        }
    }

    private bool ReadInstanceV3(KeepalivedInstance instance, KeepalivedNode node)
    {
        switch (node.Keyword)
        {
            case "version":
                instance.Version = Integer(node, 2, 3) ?? instance.Version;
                return true;
            case "accept":
                instance.AcceptMode = Flag(node);
                return true;
            case "no_accept":
                instance.AcceptMode = !Flag(node);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Once the whole file is read: each instance's version (its own, else <c>vrrp_version</c>, else 2) and its
    /// advert_int in that version's unit, rounded with a warning where keepalived would round it too.
    /// </summary>
    private void ResolveVersions(KeepalivedConfig config)
    {
        foreach (var instance in config.Instances)
        {
            instance.Version ??= config.Version ?? 2;
            if (instance.AdvertInterval is not { } advert || !_advertNodes.TryGetValue(instance, out var node))
            {
                continue;
            }

            var seconds = advert.TotalSeconds.ToString(CultureInfo.InvariantCulture);
            if (instance.Version == 2 && (advert.Ticks % TimeSpan.TicksPerSecond != 0 || advert < TimeSpan.FromSeconds(1)))
            {
                var rounded = TimeSpan.FromSeconds(Math.Clamp(Math.Round(advert.TotalSeconds), 1, 255));
                Warn(node, $"advert_int {seconds} is not whole seconds; VRRPv2 carries seconds (RFC 3768 §5.3.7), imported as {(int)rounded.TotalSeconds}s");
                instance.AdvertInterval = rounded;
            }
            else if (instance.Version == 3 && (advert.Ticks % s_centisecond.Ticks != 0 || advert < s_centisecond || advert > 4095 * s_centisecond))
            {
                var centiseconds = Math.Clamp(Math.Round(advert / s_centisecond), 1, 4095);
                var rounded = centiseconds * s_centisecond;
                Warn(node, $"advert_int {seconds} is not a whole number of centiseconds in 0.01-40.95; VRRPv3 carries centiseconds (RFC 5798 §5.2.7), imported as {rounded.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s");
                instance.AdvertInterval = rounded;
            }
        }
    }
}
