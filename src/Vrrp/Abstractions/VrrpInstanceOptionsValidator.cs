using System.Globalization;
using System.Net.Sockets;
using System.Text;
using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp;

/// <summary>
/// Every rule a <see cref="VrrpInstanceOptions"/> must follow: what VRRPv2 can carry and what keepalived accepts
/// (docs/design/vrrp.md §1.2, §4, §10). The one place these rules live: <c>cloudcore-lb check</c> reports them with
/// file and line (it maps <see cref="VrrpOptionsError.Option"/> back to the key it read), and an instance refuses to
/// start with the same list, so a file that checks clean always runs.
/// </summary>
public static partial class VrrpInstanceOptionsValidator
{
    /// <summary>Most virtual addresses per instance: keeps the advert well inside one small datagram.</summary>
    public const int MaxVirtualAddresses = 20;

    /// <summary>Longest interface name or address label (IFNAMSIZ minus the terminator).</summary>
    public const int MaxNameLength = 15;

    /// <summary>Returns every problem found; empty when the options are usable.</summary>
    public static IReadOnlyList<VrrpOptionsError> Validate(VrrpInstanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<VrrpOptionsError>();
        void Add(string option, string message, int? index = null) => errors.Add(new VrrpOptionsError(options.Name, option, index, message));

        if (string.IsNullOrWhiteSpace(options.Name))
        {
            Add(nameof(options.Name), "an instance needs a name");
        }

        if (string.IsNullOrEmpty(options.Interface) || options.Interface.Length > MaxNameLength)
        {
            Add(nameof(options.Interface), $"an interface name has 1 to {MaxNameLength} characters");
        }

        Range(options.VirtualRouterId, 1, 255, nameof(options.VirtualRouterId), "virtual router id", errors, options.Name);
        if (options.Priority is < 1 or > 255)
        {
            Add(nameof(options.Priority), $"{options.Priority} is out of range 1..255: priority must be 1-255 (0 is reserved for releasing the router)");
        }

        if (options.Version == 3)
        {
            ValidateVersion3(options, Add);
        }
        else
        {
            if (options.Version != 2)
            {
                Add(nameof(options.Version), $"version {options.Version} is not a VRRP version cloudcore-lb speaks (2 or 3)");
            }

            ValidateAdvertInterval(options.AdvertInterval, Add);
        }

        ValidateAcceptMode(options, Add);
        ValidateAuthentication(options, Add);
        ValidateAddresses(options, Add);
        ValidateTrackedInterfaces(options, Add);

        if (options.MulticastGroup is not { AddressFamily: AddressFamily.InterNetwork })
        {
            Add(nameof(options.MulticastGroup), $"{options.MulticastGroup} is not an IPv4 address (the IPv6 group is multicast_group6)");
        }
        else if (!Ipv4Address.IsMulticast(Ipv4Address.ToUInt32(options.MulticastGroup)))
        {
            // Both phrasings: what the operator wrote is not a multicast address, and VRRPv2 needs an IPv4 one.
            Add(nameof(options.MulticastGroup), $"{options.MulticastGroup} is not a multicast address (the group is not an IPv4 multicast address in 224.0.0.0/4)");
        }

        if (options.MulticastGroup6 is not { AddressFamily: AddressFamily.InterNetworkV6, IsIPv6Multicast: true })
        {
            Add(nameof(options.MulticastGroup6), $"{options.MulticastGroup6} is not an IPv6 multicast address in ff00::/8");
        }

        if (options.IsIPv6)
        {
            ValidateIPv6Transport(options, Add);
        }
        else
        {
            if (options.UnicastSourceAddress is { AddressFamily: not AddressFamily.InterNetwork } source)
            {
                Add(nameof(options.UnicastSourceAddress), $"unicast source {source} is not IPv4");
            }

            for (var i = 0; i < options.UnicastPeers.Count; i++)
            {
                if (options.UnicastPeers[i] is not { AddressFamily: AddressFamily.InterNetwork })
                {
                    Add(nameof(options.UnicastPeers), $"unicast peer {options.UnicastPeers[i]} is not IPv4", i);
                }
            }
        }

        Range(options.DownTimerAdverts, 1, 100, nameof(options.DownTimerAdverts), "down timer adverts", errors, options.Name);
        Range(options.PreemptDelay, TimeSpan.Zero, TimeSpan.FromSeconds(1000), nameof(options.PreemptDelay), "preempt delay", errors, options.Name);
        Range(options.GarpMasterRepeat, 1, 255, nameof(options.GarpMasterRepeat), "GARP repeat count", errors, options.Name);
        Range(options.GarpMasterRefreshRepeat, 1, 255, nameof(options.GarpMasterRefreshRepeat), "GARP repeat count", errors, options.Name);
        Range(options.GarpLowerPriorityRepeat, 0, 255, nameof(options.GarpLowerPriorityRepeat), "GARP repeat count", errors, options.Name);
        var hour = TimeSpan.FromHours(1);
        Range(options.GarpMasterDelay, TimeSpan.Zero, hour, nameof(options.GarpMasterDelay), "GARP master delay", errors, options.Name);
        Range(options.GarpMasterRefresh, TimeSpan.Zero, hour, nameof(options.GarpMasterRefresh), "GARP refresh period", errors, options.Name);
        Range(options.GarpLowerPriorityDelay, TimeSpan.Zero, hour, nameof(options.GarpLowerPriorityDelay), "GARP lower-priority delay", errors, options.Name);

        if (options.AddressLabel is { Length: > MaxNameLength })
        {
            Add(nameof(options.AddressLabel), $"address label '{options.AddressLabel}' is longer than {MaxNameLength} characters (IFNAMSIZ)");
        }

        return errors;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem.</summary>
    public static void ThrowIfInvalid(VrrpInstanceOptions options)
    {
        var errors = Validate(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid VRRP instance options: " + string.Join(" ", errors.Select(e => e + ".")), nameof(options));
        }
    }

    private static void ValidateAdvertInterval(TimeSpan interval, Action<string, string, int?> add)
    {
        const string option = nameof(VrrpInstanceOptions.AdvertInterval);
        if (interval < TimeSpan.FromSeconds(1) || interval > TimeSpan.FromSeconds(255))
        {
            add(option, $"{Format(interval)} is out of range 1s..255s: the advert interval is a whole number of seconds, 1-255 (VRRPv2)", null);
        }
        else if (interval.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            // RFC 3768 §5.3.7: an 8-bit count of whole seconds. Sub-second intervals need VRRPv3.
            add(option, $"VRRPv2 carries whole seconds (RFC 3768 §5.3.7): the advert interval must be a whole number of seconds, 1-255, not {Format(interval)}", null);
        }
    }

    private static void ValidateAuthentication(VrrpInstanceOptions options, Action<string, string, int?> add)
    {
        switch (options.AuthType)
        {
            case VrrpAuthType.None when options.AuthPassword is not null:
                add(nameof(options.AuthPassword), "a password needs auth type pass", null);
                break;
            case VrrpAuthType.None:
                break;
            case VrrpAuthType.SimpleText when string.IsNullOrEmpty(options.AuthPassword):
                add(nameof(options.AuthPassword), "auth type pass needs a password", null);
                break;
            case VrrpAuthType.SimpleText when Encoding.UTF8.GetByteCount(options.AuthPassword) > VrrpAdvertisement.AuthDataLength:
                // keepalived truncates with only a log line; peers then disagree on the password silently.
                add(nameof(options.AuthPassword), $"VRRPv2 carries {VrrpAdvertisement.AuthDataLength} bytes of password (RFC 3768 §5.3.10); a longer one would be truncated", null);
                break;
            case VrrpAuthType.SimpleText:
                break;
            default:
                add(nameof(options.AuthType), $"auth type {options.AuthType} is not supported for sending (use pass or none)", null);
                break;
        }
    }

    private static void ValidateTrackedInterfaces(VrrpInstanceOptions options, Action<string, string, int?> add)
    {
        const string option = nameof(VrrpInstanceOptions.TrackedInterfaces);
        var tracked = options.TrackedInterfaces;
        for (var i = 0; i < tracked.Count; i++)
        {
            var t = tracked[i];
            if (string.IsNullOrEmpty(t.Name) || t.Name.Length > MaxNameLength)
            {
                add(option, $"a tracked interface name has 1 to {MaxNameLength} characters", i);
            }
            else if (t.Weight is < -253 or > 253)
            {
                add(option, $"weight {t.Weight} of tracked interface {t.Name} is out of range -253..253", i);
            }
            else if (t.Weight != 0 && options.Priority == 255)
            {
                // keepalived drops weighted trackers from an owner with a config error; saying so is kinder.
                add(option, $"an address owner (priority 255) ignores weighted tracking; use weight 0 (fault) for {t.Name} or a lower priority", i);
            }
            else if (tracked.Take(i).Any(o => o.Name == t.Name))
            {
                add(option, $"interface {t.Name} is tracked twice", i);
            }
        }
    }

    private static void ValidateAddresses(VrrpInstanceOptions options, Action<string, string, int?> add)
    {
        const string option = nameof(VrrpInstanceOptions.VirtualAddresses);
        var vips = options.VirtualAddresses;
        if (vips.Count == 0)
        {
            add(option, "at least one virtual address is needed", null);
        }
        else if (vips.Count > MaxVirtualAddresses)
        {
            add(option, $"at most {MaxVirtualAddresses} virtual addresses per instance (keep adverts small)", null);
        }

        for (var i = 0; i < vips.Count; i++)
        {
            var vip = vips[i];
            if (vip.Address is not { AddressFamily: AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 })
            {
                add(option, $"virtual address {vip} is neither IPv4 nor IPv6", i);
            }
            else if (i > 0 && vip.Address.AddressFamily != vips[0].Address.AddressFamily)
            {
                // keepalived too: one family per instance, since the advert carries addresses of its IP family only.
                add(option, $"{vip.Address} is {FamilyName(vip.Address)} but {vips[0].Address} is {FamilyName(vips[0].Address)}: one address family per instance; put the {FamilyName(vip.Address)} VIPs in an instance of their own (a sync group keeps both together)", i);
            }
            else if (vip.Address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                ValidateIPv6Address(options, vip, i, add);
            }
            else if (vip.PrefixLength is < 1 or > 32)
            {
                add(option, $"'{vip}' is not an IPv4 address with an optional /prefix (1-32): invalid prefix length", i);
            }

            if (vip.Device is { } device && (device.Length is 0 or > MaxNameLength))
            {
                add(option, $"the interface of {vip.Address} must have 1 to {MaxNameLength} characters", i);
            }

            for (var j = 0; j < i; j++)
            {
                if (vips[j].Address.Equals(vip.Address))
                {
                    add(option, $"{vip.Address} is listed twice: virtual addresses must be distinct", i);
                    break;
                }
            }
        }
    }

    private static void Range(int value, int min, int max, string option, string what, List<VrrpOptionsError> errors, string name)
    {
        if (value < min || value > max)
        {
            errors.Add(new VrrpOptionsError(name, option, null, $"{value} is out of range {min}..{max} for the {what}"));
        }
    }

    private static void Range(TimeSpan value, TimeSpan min, TimeSpan max, string option, string what, List<VrrpOptionsError> errors, string name)
    {
        if (value < min || value > max)
        {
            errors.Add(new VrrpOptionsError(name, option, null, $"{Format(value)} is out of range {Format(min)}..{Format(max)} for the {what}"));
        }
    }

    /// <summary>Seconds, as the configuration writes them (1s, 1.5s, 1000s).</summary>
    private static string Format(TimeSpan value) => $"{value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s";
}

/// <summary>One problem with a <see cref="VrrpInstanceOptions"/>.</summary>
/// <param name="Instance">The instance's name.</param>
/// <param name="Option">The <see cref="VrrpInstanceOptions"/> property at fault (its C# name).</param>
/// <param name="Index">For a list option, the element at fault; null for the option as a whole.</param>
/// <param name="Message">What is wrong, for an operator.</param>
public readonly record struct VrrpOptionsError(string Instance, string Option, int? Index, string Message)
{
    /// <summary><c>instance: message</c>.</summary>
    public override string ToString() => $"{Instance}: {Message}";
}
