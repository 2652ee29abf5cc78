using System.Globalization;
using System.Text;
using CloudCoreLb.Host.Hosting;
using CloudCoreLb.L4Proxy;
using CloudCoreLb.Vrrp;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Control;

/// <summary>
/// Carries out the day-two requests (<see cref="ControlVerb.Server"/>, <see cref="ControlVerb.Vrrp"/>) and words the
/// answer: one line per server or instance, starting <c>ok:</c> or <c>error:</c> (the CLI exits 1 if any does).
/// </summary>
internal sealed class ControlOperations(VrrpService vrrp, ProxyService proxy, HeldInstances held, ILogger<ControlOperations> logger)
{
    /// <summary>The words of a server line the CLI's <c>--wait</c> reads.</summary>
    public const string SessionsField = "sessions=";

    public string Server(ControlRequest request)
    {
        var target = request.Target!;
        if (!proxy.Runtime.IsRunning)
        {
            return "error: the proxy is not running (no proxy section in the configuration)\n";
        }

        IReadOnlyList<ServerStatus> servers;
        if (request.AdminState is { } state)
        {
            ControlLog.AdminStateRequested(logger, target.ToString(), state);
            servers = proxy.Runtime.SetAdminState(target, state);
        }
        else
        {
            servers = [.. proxy.Runtime.GetServerStatus().Where(s => target.Matches(s.Backend, s.Server, s.EndPoint.Address))];
        }

        if (servers.Count == 0)
        {
            return $"error: no server matches {target}\n";
        }

        var sb = new StringBuilder();
        foreach (var s in servers)
        {
            sb.Append(CultureInfo.InvariantCulture, $"ok: {s.Backend}/{s.Server} {s.EndPoint} admin={s.AdminState.ToString().ToLowerInvariant()} health={(s.Checked ? s.CheckUp ? "up" : "down" : "unchecked")} {SessionsField}{s.Counters.Active}\n");
        }

        return sb.ToString();
    }

    public async Task<string> VrrpAsync(ControlRequest request)
    {
        var instances = vrrp.Instances.Where(i => request.Instance is null || i.Config.Options.Name == request.Instance).ToArray();
        if (instances.Length == 0)
        {
            return request.Instance is null ? "error: no VRRP instance is configured\n" : $"error: no VRRP instance named '{request.Instance}'\n";
        }

        ControlLog.VrrpOperationRequested(logger, request.Operation.ToString().ToLowerInvariant(), request.Instance ?? "every instance");
        var answers = await Task.WhenAll(instances.Select(i => ApplyAsync(i.Handle, request))).ConfigureAwait(false);
        return string.Concat(answers);
    }

    private async Task<string> ApplyAsync(VrrpInstanceHandle handle, ControlRequest request)
    {
        var answer = await ApplyHoldAsync(handle, request).ConfigureAwait(false);
        held.Record(handle.Name, handle.IsHeld);
        return answer;
    }

    private static async Task<string> ApplyHoldAsync(VrrpInstanceHandle handle, ControlRequest request)
    {
        var name = handle.Name;
        switch (request.Operation)
        {
            case VrrpOperation.Release:
                handle.ReleaseHold();
                return $"ok: {name} released, priority {handle.Snapshot().EffectivePriority} ({handle.Snapshot().State})\n";
            case VrrpOperation.Hold:
                return handle.Hold()
                    ? $"ok: {name} held at priority 1 ({handle.Snapshot().State}); 'vrrp release' restores it\n"
                    : $"error: {name} is the address owner (priority 255) and cannot be held\n";
            default:
                if (handle.Snapshot().State != VrrpState.Master)
                {
                    // Node maintenance hands over what it holds and keeps the rest from taking over meanwhile.
                    return handle.Hold()
                        ? $"ok: {name} is not master ({handle.Snapshot().State}), nothing to hand over; held at priority 1 until 'vrrp release'\n"
                        : $"error: {name} is the address owner (priority 255) and cannot be held\n";
                }

                var outcome = await handle.HandOverAsync(request.Timeout ?? DefaultTimeout(handle.Options)).ConfigureAwait(false);
                return outcome.TookOver ? $"ok: {name} handed over: {outcome.Detail}\n" : $"error: {name} did not hand over: {outcome.Detail}\n";
        }
    }

    /// <summary>A backup answers priority 0 within its skew time (under 1 s); three advert intervals leave room for
    /// lost adverts, as the master-down interval does.</summary>
    private static TimeSpan DefaultTimeout(VrrpInstanceOptions options)
    {
        var timeout = (3 * options.AdvertInterval) + TimeSpan.FromSeconds(1);
        return timeout < ControlRequest.MaxTimeout ? timeout : ControlRequest.MaxTimeout;
    }

}
