using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Host.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Control;

/// <summary>
/// Applies a new configuration in-process (SIGHUP or <c>cloudcore-lb reload</c>). Established proxied connections
/// stay where they are (unlike haproxy, nothing moves to a new process: haproxy #228), VRRP instances whose
/// configuration did not change keep running without a transition, and a file that fails validation changes nothing.
/// </summary>
internal sealed class ReloadCoordinator(ConfigState state, VrrpService vrrp, ProxyService proxy, ILogger<ReloadCoordinator> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Reloads; returns null on success or the reason it was rejected.</summary>
    public async Task<string?> ReloadAsync(CancellationToken cancellationToken, string trigger = "control socket")
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = state.Current;
            ControlLog.ReloadRequested(logger, trigger, current.SourceFile);
            CloudCoreLbConfig next;
            try
            {
                next = ConfigLoader.Load(current.SourceFile, current.NodeName);
            }
            catch (ConfigException ex)
            {
                ControlLog.ReloadRejected(logger, ex.Message);
                return ex.Message;
            }

            string proxyOutcome;
            try
            {
                proxyOutcome = await ApplyProxyAsync(next, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.Net.Sockets.SocketException)
            {
                ControlLog.ReloadFailed(logger, ex);
                return ex.Message;
            }

            var (kept, restarted, added, removed, failures) = await vrrp.ApplyAsync(next).ConfigureAwait(false);
            state.Replace(next);
            ControlLog.ReloadApplied(logger, kept, restarted, added, removed, proxyOutcome);
            if (failures.Count > 0)
            {
                // The others were applied; the failing instance (e.g. its interface is missing here) is not running.
                var message = string.Join("; ", failures);
                ControlLog.ReloadInstancesFailed(logger, message);
                return message;
            }

            return null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<string> ApplyProxyAsync(CloudCoreLbConfig next, CancellationToken cancellationToken)
    {
        switch (proxy.Runtime.IsRunning, next.Proxy)
        {
            case (true, { } options):
                await proxy.Runtime.ApplyAsync(options, cancellationToken).ConfigureAwait(false);
                return "updated in place";
            case (true, null):
                await proxy.Runtime.StopAsync(cancellationToken).ConfigureAwait(false);
                return "stopped (no proxy section)";
            case (false, { } options):
                await proxy.Runtime.StartAsync(options, cancellationToken).ConfigureAwait(false);
                return "started";
            default:
                return "not configured";
        }
    }
}
