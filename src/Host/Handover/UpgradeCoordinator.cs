using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using CloudCoreLb.Host.Cli;
using CloudCoreLb.Host.Hosting;
using CloudCoreLb.Host.Metrics;
using CloudCoreLb.L4Proxy.Handover;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Handover;

/// <summary>
/// <c>cloudcore-lb upgrade</c> / SIGUSR2 on the running process (docs/design/upgrade.md): starts the binary now on
/// disk with <c>run --takeover</c> and waits for its hello (its configuration is valid by then) and for it to have
/// started; then freezes the proxy, sends the sealed state description and every descriptor, and waits for it to be
/// ready. Only then are the VRRP instances frozen (adverts kept their schedule all along) and their resume points
/// sent with the commit; the new process becomes the service's main process and this one exits without closing or
/// releasing anything. If the new process fails at any step, everything thaws and this process goes on; the reason
/// is the command's answer.
/// </summary>
internal sealed class UpgradeCoordinator(
    RunArguments arguments, ProcessLineage lineage, ProxyService proxy, VrrpService vrrp, VipGuardian guardian, CrashRecovery recovery,
    CounterCarry counters, IServiceProvider services, IHostApplicationLifetime lifetime, ILogger<UpgradeCoordinator> logger)
{
    /// <summary>How long the new process may take to start, to adopt, and to answer: a bound on a stuck successor only.</summary>
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Upgrades; returns the answer for the operator (<c>ok: ...</c> or <c>error: ...</c>).</summary>
    public async Task<string> UpgradeAsync(string trigger)
    {
        if (!await _gate.WaitAsync(0).ConfigureAwait(false))
        {
            return "error: an upgrade is already running\n";
        }

        try
        {
            if (lineage.HandedOver)
            {
                return "error: this process has already handed over\n";
            }

            HandoverLog.UpgradeRequested(logger, trigger);
            var outcome = await RunAsync().ConfigureAwait(false);
            if (outcome.StartsWith("error:", StringComparison.Ordinal))
            {
                lineage.Counters.UpgradeFailed();
                HandoverLog.UpgradeFailed(logger, outcome[7..].TrimEnd());
            }

            return outcome;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>After the answer went out: a process that handed over leaves.</summary>
    public void ExitIfHandedOver()
    {
        if (lineage.HandedOver)
        {
            lifetime.StopApplication();
        }
    }

    private async Task<string> RunAsync()
    {
        var name = $"cloudcore-lb-upgrade-{Environment.ProcessId}-{Guid.NewGuid():N}";
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint("\0" + name));
        listener.Listen(1);
        Process child;
        try
        {
            child = Process.Start(SuccessorStartInfo(name)) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"error: cannot start the new binary: {ex.Message}\n";
        }

        using (child)
        {
            HandoverLog.SuccessorStarted(logger, child.Id);
            using var timeout = new CancellationTokenSource(StepTimeout);
            var accept = listener.AcceptAsync(timeout.Token).AsTask();
            var exited = child.WaitForExitAsync(timeout.Token);
            await Task.WhenAny(accept, exited).ConfigureAwait(false);
            if (!accept.IsCompletedSuccessfully)
            {
                return Abandon(child, exited.IsCompletedSuccessfully
                    ? $"the new process exited with code {child.ExitCode} before taking over (its output is in this service's log)"
                    : $"the new process did not connect within {StepTimeout.TotalSeconds:F0} s");
            }

            using var channel = new HandoverChannel(await accept.ConfigureAwait(false), StepTimeout);
            if (channel.PeerPid != child.Id)
            {
                return Abandon(child, $"the upgrade channel was answered by pid {channel.PeerPid}, not by the new process {child.Id}");
            }

            return await HandOverAsync(channel, child).ConfigureAwait(false);
        }
    }

    private async Task<string> HandOverAsync(HandoverChannel channel, Process child)
    {
        HandoverHello hello;
        try
        {
            hello = JsonSerializer.Deserialize(channel.Expect(HandoverFrameType.Hello), HelloJsonContext.Default.HandoverHello)
                ?? throw new InvalidDataException("empty hello");
        }
        catch (HandoverRefusedException ex)
        {
            return Abandon(child, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or TimeoutException or JsonException or SocketException)
        {
            return Abandon(child, $"the new process failed before taking over: {ex.Message}");
        }

        if (StateDescription.Negotiate(hello) is not { } format)
        {
            var reads = string.Join(", ", hello.Formats ?? [hello.Format]);
            var writes = $"{StateDescription.OldestFormat}-{StateDescription.CurrentFormat}";
            channel.TrySend(HandoverFrameType.Refuse, $"state formats {writes} are not format {reads}");
            return Abandon(child, $"the new binary ({hello.Version}) reads state format {reads}, this one writes {writes}");
        }

        // The new process starts everything it can without the state; this one serves meanwhile.
        try
        {
            channel.Expect(HandoverFrameType.SendState);
        }
        catch (HandoverRefusedException ex)
        {
            return Abandon(child, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or TimeoutException or SocketException)
        {
            return Abandon(child, $"the new process failed while starting: {ex.Message}");
        }

        // From here on sessions wait in the kernel: only as long as the new process needs to adopt them.
        var frozen = Stopwatch.StartNew();
        var handover = proxy.Runtime.IsRunning ? await proxy.Runtime.FreezeAsync().ConfigureAwait(false) : null;
        var sessions = handover?.Sessions.Count ?? 0;
        try
        {
            Send(channel, handover, sessions, format);
            channel.Expect(HandoverFrameType.Ready);

            // What this process stored leaves the store while systemd still takes its requests; the new one stores anew.
            recovery.Detach(proxy.Runtime);

            // The new process is the service's main process before this one leaves: systemd never sees it gone.
            if (services.GetService<ISystemdNotifier>() is { IsEnabled: true } notifier)
            {
                notifier.Notify(new ServiceState($"MAINPID={child.Id}"));
            }

            var points = vrrp.Freeze();
            lineage.MarkHandedOver();
            guardian.CleanStop();
            channel.Send(HandoverFrameType.Commit, JsonSerializer.SerializeToUtf8Bytes([.. points], StateJsonContext.Default.ListVrrpResumePoint));
        }
        catch (HandoverRefusedException ex)
        {
            // Refused or out of step while adopting: nothing was committed.
            return await RollBackAsync(child, ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or TimeoutException or SocketException)
        {
            if (lineage.HandedOver)
            {
                // Commit could not be written: the new process sees this one gone and takes over on its own.
                return $"ok: handed over to pid {child.Id} ({hello.Version}); the commit was not acknowledged: {ex.Message}\n";
            }

            return await RollBackAsync(child, $"the new process failed while taking over: {ex.Message}").ConfigureAwait(false);
        }

        lineage.Counters.Upgraded(sessions);
        HandoverLog.HandedOver(logger, child.Id, hello.Version, sessions, frozen.Elapsed.TotalMilliseconds);
        return $"ok: upgraded to pid {child.Id} ({hello.Version}); {sessions} sessions handed over in {frozen.Elapsed.TotalMilliseconds:F0} ms\n";
    }

    private void Send(HandoverChannel channel, ProxyHandover? handover, int sessions, int format)
    {
        var descriptors = handover?.Descriptors ?? [];
        var totals = lineage.Counters.Totals();
        // Read with the proxy frozen: its counters are final; VRRP's may still count the adverts until the commit.
        var state = new StateDescription(
            format, BuildInfo.Version, lineage.Generation + 1, lineage.StartedAt, Stopwatch.Frequency, descriptors.Count,
            handover is null ? null : handover with { Descriptors = [] },
            totals with { Upgrades = totals.Upgrades + 1, SessionsHandedOver = totals.SessionsHandedOver + sessions },
            format >= 2 ? counters.Snapshot() : null);
        var memfd = SealedStateFile.Create(JsonSerializer.SerializeToUtf8Bytes(state, StateJsonContext.Default.StateDescription));
        try
        {
            channel.Send(HandoverFrameType.State, ReadOnlySpan<byte>.Empty, [memfd]);
        }
        finally
        {
            HandoverChannel.Close([memfd]);
        }

        var all = descriptors as int[] ?? [.. descriptors];
        for (var offset = 0; offset < all.Length; offset += HandoverChannel.MaxDescriptorsPerFrame)
        {
            var chunk = all.AsSpan(offset, Math.Min(HandoverChannel.MaxDescriptorsPerFrame, all.Length - offset));
            channel.Send(HandoverFrameType.Descriptors, ReadOnlySpan<byte>.Empty, chunk);
        }
    }

    private async Task<string> RollBackAsync(Process child, string reason)
    {
        var answer = Abandon(child, reason);
        if (proxy.Runtime.IsRunning)
        {
            await proxy.Runtime.ThawAsync().ConfigureAwait(false);
        }

        return answer;
    }

    private static string Abandon(Process child, string reason)
    {
        Kill(child);
        return $"error: upgrade refused, this process goes on: {reason}\n";
    }

    private static void Kill(Process child)
    {
        try
        {
            if (!child.HasExited)
            {
                child.Kill();
                child.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }

    private ProcessStartInfo SuccessorStartInfo(string channel)
    {
        var (file, prefix) = SelfCommand.Current ?? throw new InvalidOperationException("the path of this binary is unknown");
        var psi = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var argument in prefix.Concat(arguments.ForSuccessor(channel)))
        {
            psi.ArgumentList.Add(argument);
        }

        // systemd's WATCHDOG_PID names this process; the successor pings once it is the main process.
        psi.Environment.Remove("WATCHDOG_PID");
        return psi;
    }
}
