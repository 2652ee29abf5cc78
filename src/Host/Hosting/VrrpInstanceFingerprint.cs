using System.Globalization;
using System.Text;
using CloudCoreLb.HealthCheck.Tracking;
using CloudCoreLb.Host.Configuration;

namespace CloudCoreLb.Host.Hosting;

/// <summary>
/// A canonical description of everything an instance runs with (options, tracked checks, notify hooks). A reload
/// keeps an instance whose fingerprint is unchanged, so it goes through the reload without any VRRP transition.
/// </summary>
internal static class VrrpInstanceFingerprint
{
    public static string Of(VrrpInstanceConfig instance, IReadOnlyDictionary<string, CheckDefinition> checks)
    {
        var o = instance.Options;
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"{o.Name}|{o.Interface}|{o.VirtualRouterId}|{o.Priority}|{o.AdvertInterval.Ticks}|{o.AuthType}|{o.AuthPassword}|");
        sb.Append(inv, $"{string.Join(',', o.VirtualAddresses)}|{o.Preempt}|{o.PreemptDelay.Ticks}|{o.MulticastGroup}|{o.UnicastSourceAddress}|");
        sb.Append(inv, $"{string.Join(',', o.UnicastPeers)}|{o.GarpMasterRepeat}|{o.GarpMasterDelay.Ticks}|{o.GarpMasterRefresh.Ticks}|");
        sb.Append(inv, $"{o.GarpMasterRefreshRepeat}|{o.GarpLowerPriorityRepeat}|{o.GarpLowerPriorityDelay.Ticks}|{o.AddressLabel}|{o.DownTimerAdverts}|");
        sb.Append(instance.Notify);
        foreach (var track in instance.Tracks)
        {
            var c = checks[track.Check];
            var t = c.Options;
            sb.Append(inv, $"|{track.Check}:{track.Weight}:{c.Type}:{t.Interval.Ticks}:{t.Timeout?.Ticks}:{t.Weight}:{t.Rise}:{t.Fall}:{t.InitFail}:");
            sb.Append(t switch
            {
                TrackedScriptOptions s => $"{s.Script}:{s.User}:{s.Group}",
                ListenerCheckOptions l => $"{string.Join(',', l.Ports)}:{l.Address}",
                ProbeCheckOptions p => p.Target,
                _ => "",
            });
        }

        return sb.ToString();
    }
}
