using System.Net.Sockets;
using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp.Router;

/// <summary>
/// Validates <see cref="VrrpInstanceOptions"/> against what VRRPv2 can carry and what keepalived accepts
/// (docs/design/vrrp.md §1.2, §4, §10), so a bad configuration fails at start with every problem listed.
/// </summary>
internal static class VrrpInstanceOptionsValidator
{
    /// <summary>Returns every problem found; empty when the options are usable.</summary>
    public static IReadOnlyList<string> Validate(VrrpInstanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var name = options.Name;
        if (options.VirtualRouterId == 0)
        {
            errors.Add($"{name}: virtual router id must be 1-255.");
        }

        if (options.Priority == 0)
        {
            errors.Add($"{name}: priority must be 1-255 (0 is reserved for releasing the router).");
        }

        var interval = options.AdvertInterval;
        if (interval.Ticks % TimeSpan.TicksPerSecond != 0 || interval < TimeSpan.FromSeconds(1) || interval > TimeSpan.FromSeconds(255))
        {
            // RFC 3768 §5.3.7: an 8-bit count of whole seconds. Sub-second intervals need VRRPv3.
            errors.Add($"{name}: advert interval must be a whole number of seconds, 1-255 (VRRPv2), got {interval}.");
        }

        switch (options.AuthType)
        {
            case VrrpAuthType.None:
                break;
            case VrrpAuthType.SimpleText when string.IsNullOrEmpty(options.AuthPassword):
                errors.Add($"{name}: auth type PASS needs a password.");
                break;
            case VrrpAuthType.SimpleText:
                break;
            default:
                errors.Add($"{name}: auth type {options.AuthType} is not supported for sending (use PASS or none).");
                break;
        }

        if (options.VirtualAddresses.Count == 0)
        {
            errors.Add($"{name}: at least one virtual address is required.");
        }

        if (options.VirtualAddresses.Count > byte.MaxValue)
        {
            errors.Add($"{name}: at most 255 virtual addresses fit in a VRRPv2 advert.");
        }

        foreach (var vip in options.VirtualAddresses)
        {
            if (vip.Address is null || vip.Address.AddressFamily != AddressFamily.InterNetwork)
            {
                errors.Add($"{name}: virtual address {vip.Address} is not IPv4.");
            }

            if (vip.PrefixLength is < 0 or > 32)
            {
                errors.Add($"{name}: virtual address {vip} has an invalid prefix length.");
            }
        }

        if (options.VirtualAddresses.Select(v => v.Address).Distinct().Count() != options.VirtualAddresses.Count)
        {
            errors.Add($"{name}: virtual addresses must be distinct.");
        }

        if (!Ipv4Address.TryToUInt32(options.MulticastGroup, out var group) || !Ipv4Address.IsMulticast(group))
        {
            errors.Add($"{name}: multicast group {options.MulticastGroup} is not an IPv4 multicast address.");
        }

        foreach (var peer in options.UnicastPeers)
        {
            if (peer.AddressFamily != AddressFamily.InterNetwork)
            {
                errors.Add($"{name}: unicast peer {peer} is not IPv4.");
            }
        }

        if (options.DownTimerAdverts is < 1 or > 100)
        {
            errors.Add($"{name}: down timer adverts must be 1-100.");
        }

        if (options.PreemptDelay < TimeSpan.Zero || options.PreemptDelay > TimeSpan.FromSeconds(1000))
        {
            errors.Add($"{name}: preempt delay must be 0-1000 s.");
        }

        if (options.GarpMasterRepeat < 0 || options.GarpMasterRefreshRepeat < 0 || options.GarpLowerPriorityRepeat < 0)
        {
            errors.Add($"{name}: GARP repeat counts must not be negative.");
        }

        if (options.GarpMasterDelay < TimeSpan.Zero || options.GarpMasterRefresh < TimeSpan.Zero || options.GarpLowerPriorityDelay < TimeSpan.Zero)
        {
            errors.Add($"{name}: GARP delays must not be negative.");
        }

        if (options.AddressLabel is { Length: > 15 })
        {
            errors.Add($"{name}: address label '{options.AddressLabel}' is longer than 15 characters (IFNAMSIZ).");
        }

        return errors;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem.</summary>
    public static void ThrowIfInvalid(VrrpInstanceOptions options)
    {
        var errors = Validate(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid VRRP instance options: " + string.Join(" ", errors), nameof(options));
        }
    }
}
