using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CloudCoreLb.Host.Cli;
using CloudCoreLb.Host.Hosting;
using CloudCoreLb.Host.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.Host.Handover;

/// <summary>
/// The new process's side of an upgrade (<c>run --takeover</c>; docs/design/upgrade.md). Runs first among the hosted
/// services and says hello (the configuration is valid by then), so the proxy and VRRP start in takeover mode. Once
/// the host has started, it asks for the state: the old process freezes, sends the sealed description and the
/// descriptors, this one adopts listeners and sessions without moving a byte and says it is ready; on commit the
/// sessions move again here and the VRRP instances resume. If anything fails before that, this process says why
/// and stops, having moved nothing and sent no advert; the old one thaws.
/// </summary>
internal sealed class TakeoverReceiver(
    RunArguments arguments, ProcessLineage lineage, ProxyService proxy, VrrpService vrrp, CrashRecovery recovery, CounterCarry counters,
    IHostApplicationLifetime lifetime, ILogger<TakeoverReceiver> logger)
    : IHostedService, IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    /// <summary>A state description larger than this is refused (2,000 sessions take about 1 MB).</summary>
    private const int MaxStateLength = 256 << 20;

    private HandoverChannel? _channel;
    private int _parentPid;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (arguments.Takeover is not { } name)
        {
            return Task.CompletedTask;
        }

        lineage.IsTakeover = true;
        _parentPid = getppid();
        _channel = Connect(name);
        _channel.Send(HandoverFrameType.Hello, JsonSerializer.SerializeToUtf8Bytes(
            new HandoverHello(BuildInfo.Version, StateDescription.OldestFormat, Environment.ProcessId, [.. Enumerable.Range(StateDescription.OldestFormat, StateDescription.CurrentFormat - StateDescription.OldestFormat + 1)]),
            HelloJsonContext.Default.HandoverHello));
        lifetime.ApplicationStarted.Register(() => _ = Task.Run(TakeOverAsync, CancellationToken.None));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Tells the old process why this one cannot take over (it goes on); best effort.</summary>
    public void Refuse(string reason) => _channel?.TrySend(HandoverFrameType.Refuse, reason);

    /// <summary>Refuses before the host exists (the configuration was rejected).</summary>
    public static void RefuseEarly(string channel, string reason)
    {
        try
        {
            using var c = Connect(channel);
            c.Send(HandoverFrameType.Refuse, reason);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            // The old process is gone or stopped waiting; it goes on (or not) without our reason.
        }
    }

    public void Dispose() => _channel?.Dispose();

    private static HandoverChannel Connect(string name)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint("\0" + name));
            return new HandoverChannel(socket, StepTimeout);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The state frame (a sealed memfd), then the descriptor frames until the count it announced. Anything else is
    /// refused whole: every descriptor received so far is closed, nothing is adopted.
    /// </summary>
    private StateDescription ReceiveState(HandoverChannel channel, out int[] descriptors)
    {
        var received = new List<int>();
        try
        {
            var (type, payload, fds) = channel.Receive();
            if (type == HandoverFrameType.Refuse)
            {
                HandoverChannel.Close(fds);
                throw new InvalidOperationException($"the running process refused: {Encoding.UTF8.GetString(payload)}");
            }

            if (type != HandoverFrameType.State || fds.Length != 1)
            {
                HandoverChannel.Close(fds);
                throw new InvalidDataException($"expected the state frame with one memfd, got {type} with {fds.Length} descriptors");
            }

            byte[] content;
            try
            {
                content = SealedStateFile.Read(fds[0], MaxStateLength);
            }
            finally
            {
                HandoverChannel.Close(fds);
            }

            var state = Parse(content);
            while (received.Count < state.Descriptors)
            {
                (type, _, fds) = channel.Receive();
                received.AddRange(fds);
                if (type != HandoverFrameType.Descriptors || fds.Length == 0)
                {
                    throw new InvalidDataException($"expected descriptors ({received.Count - fds.Length} of {state.Descriptors} so far), got {type}");
                }
            }

            if (received.Count != state.Descriptors)
            {
                throw new InvalidDataException($"{received.Count} descriptors arrived, the state announced {state.Descriptors}");
            }

            descriptors = [.. received];
            return state;
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or IOException or TimeoutException or SocketException)
        {
            HandoverChannel.Close([.. received]);
            channel.TrySend(HandoverFrameType.Refuse, ex.Message);
            throw new InvalidOperationException($"cannot take over: {ex.Message}", ex);
        }
    }

    /// <summary>Parses and checks the description: an unknown format or another clock is refused with the reason.</summary>
    internal static StateDescription Parse(ReadOnlySpan<byte> content)
    {
        using (var document = JsonDocument.Parse(content.ToArray()))
        {
            if (!document.RootElement.TryGetProperty("format", out var format) || !format.TryGetInt32(out var version))
            {
                throw new InvalidDataException("the state description has no format version");
            }

            if (!StateDescription.IsKnown(version))
            {
                throw new InvalidDataException(
                    $"state format {version} is unknown to this build (it reads formats {StateDescription.OldestFormat}-{StateDescription.CurrentFormat})");
            }
        }

        var state = JsonSerializer.Deserialize(content, StateJsonContext.Default.StateDescription)
            ?? throw new InvalidDataException("the state description is empty");
        if (state.TimestampFrequency != Stopwatch.Frequency)
        {
            throw new InvalidDataException($"the state's clock ticks {state.TimestampFrequency}/s, this process's {Stopwatch.Frequency}/s");
        }

        if (state.Descriptors < 0 || state.Generation < 1 || state.Totals is null)
        {
            throw new InvalidDataException("the state description is incomplete");
        }

        return state;
    }

    private async Task TakeOverAsync()
    {
        var channel = _channel!;
        IReadOnlyList<CloudCoreLb.Vrrp.VrrpResumePoint> points;
        try
        {
            channel.Send(HandoverFrameType.SendState, ReadOnlySpan<byte>.Empty);
            var state = ReceiveState(channel, out var descriptors);
            var inheritedProxy = state.Proxy is { } p ? p with { Descriptors = descriptors } : null;
            lineage.Inherit(state, inheritedProxy);
            lineage.Counters.Carry(state.Totals);
            // Before the commit, so the metrics port (bound only after it) never shows this process's counts alone.
            counters.Restore(state.Counters);
            HandoverLog.TakingOver(logger, _parentPid, state.Version, state.Generation, state.Proxy?.Sessions.Count ?? 0, descriptors.Length);
            if (inheritedProxy is not null && proxy.Runtime.IsRunning)
            {
                var adoption = await proxy.Runtime.AdoptAsync(inheritedProxy).ConfigureAwait(false);
                lineage.Counters.Adopted(adoption.Adopted, adoption.Refused);
                HandoverLog.SessionsPrepared(logger, adoption.Adopted, string.Join(", ", adoption.Refused.Select(r => $"{r.Key}={r.Value}")));
            }

            channel.Send(HandoverFrameType.Ready, ReadOnlySpan<byte>.Empty);
            points = ReceiveCommit(channel);
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or JsonException or IOException or TimeoutException or SocketException)
        {
            channel.TrySend(HandoverFrameType.Refuse, ex.Message);
            HandoverLog.TakeoverAbandoned(logger, ex.Message);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            return;
        }

        // MAINPID names this process by now (the old one said so before its commit): the store takes our requests.
        recovery.BecameMain();
        if (proxy.Runtime.IsRunning && lineage.InheritedProxy is not null)
        {
            proxy.Runtime.CompleteAdoption();
        }

        vrrp.StartInherited(points);
        lineage.MarkCommitted();
        HandoverLog.TookOver(logger, lineage.Counters.SessionsAdopted, lineage.Counters.SessionsRefused.Values.Sum());
    }

    /// <summary>
    /// The commit with the VRRP resume points. The old process vanishing after we were ready counts as a commit
    /// when it is really gone (its copies of the descriptors are closed, everything is ours), not while it lives.
    /// </summary>
    private IReadOnlyList<CloudCoreLb.Vrrp.VrrpResumePoint> ReceiveCommit(HandoverChannel channel)
    {
        try
        {
            return JsonSerializer.Deserialize(channel.Expect(HandoverFrameType.Commit), StateJsonContext.Default.ListVrrpResumePoint) ?? [];
        }
        catch (HandoverRefusedException ex)
        {
            throw new InvalidOperationException($"the running process abandoned the upgrade: {ex.Message}", ex);
        }
        catch (Exception ex) when ((ex is IOException or TimeoutException or SocketException) && !IsAlive(_parentPid))
        {
            return [];
        }
    }

    private static bool IsAlive(int pid) => pid > 1 && kill(pid, 0) == 0;
}
