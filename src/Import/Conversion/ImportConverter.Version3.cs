using CloudCoreLb.Import.Keepalived;

namespace CloudCoreLb.Import.Conversion;

/// <summary>VRRPv3 instances: <c>version: 3</c>, a centisecond <c>advert_int</c>, and what v3 has no room for.</summary>
internal sealed partial class ImportConverter
{
    private void WriteVersionAndInterval(KeepalivedInstance instance)
    {
        if (instance.Version == 3)
        {
            _yaml.Value("version", 3, "keepalived vrrp_version 3 (RFC 5798)");
        }

        _yaml.Value("advert_int", Duration(instance.AdvertInterval ?? TimeSpan.FromSeconds(1)));
        if (instance.AcceptMode == false)
        {
            // keepalived's no_accept drops traffic to the VIPs with firewall rules; the proxy serves them, so it must accept.
            diagnostics.Warn(instance.File, instance.Line,
                $"vrrp_instance {instance.Name}: no_accept is not carried over: the proxy serves the virtual addresses, so the master accepts traffic to them (accept_mode: true)");
        }
    }

    private void WarnVersion3Authentication(KeepalivedInstance instance)
    {
        if (instance.AuthType is not null)
        {
            // keepalived ignores it too: the v3 header has no authentication field (RFC 5798 §5.1).
            diagnostics.Warn(instance.File, instance.Line,
                $"vrrp_instance {instance.Name}: authentication is not carried over: VRRPv3 has none (keepalived ignores it with vrrp_version 3)");
        }
    }
}
