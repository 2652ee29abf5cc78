using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp;

// The rules that differ for VRRPv3 (RFC 5798): the interval field and authentication are what changed on the wire.
public static partial class VrrpInstanceOptionsValidator
{
    private static readonly TimeSpan s_centisecond = TimeSpan.FromMilliseconds(10);

    private static void ValidateVersion3(VrrpInstanceOptions options, Action<string, string, int?> add)
    {
        var interval = options.AdvertInterval;
        var max = VrrpV3Advertisement.MaxAdvertIntervalLimit * s_centisecond;
        if (interval < s_centisecond || interval > max)
        {
            add(nameof(options.AdvertInterval), $"{Format(interval)} is out of range 0.01s..{Format(max)}: VRRPv3 carries the advert interval in centiseconds, 1-4095 (RFC 5798 §5.2.7)", null);
        }
        else if (interval.Ticks % s_centisecond.Ticks != 0)
        {
            add(nameof(options.AdvertInterval), $"VRRPv3 carries centiseconds (RFC 5798 §5.2.7): the advert interval must be a multiple of 10ms, not {Format(interval)}", null);
        }

        if (options.AuthType != VrrpAuthType.None || options.AuthPassword is not null)
        {
            // RFC 5798 §5.1 removed the field; keepalived ignores the setting, silently, with vrrp_version 3.
            add(nameof(options.AuthType), "VRRPv3 has no authentication (RFC 5798 §9): remove the authentication block or use version 2", null);
        }
    }

    private static void ValidateAcceptMode(VrrpInstanceOptions options, Action<string, string, int?> add)
    {
        if (!options.AcceptMode)
        {
            // A non-accepting master would answer ARP for the VIP and drop the connections the proxy serves on it.
            add(nameof(options.AcceptMode), "accept_mode false is not supported: the proxy serves the virtual addresses, so the master must accept traffic to them", null);
        }
    }

    /// <summary>The interval in the VRRPv3 field: whole centiseconds (the validator guarantees a multiple of 10 ms).</summary>
    internal static ushort ToCentiseconds(TimeSpan interval) => (ushort)(interval.Ticks / s_centisecond.Ticks);
}
