using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CloudCoreLb.Host.Cli;
using CloudCoreLb.Host.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.Host.Handover;

/// <summary>
/// The new process's side of an upgrade (<c>run --takeover</c>; docs/design/upgrade.md). Runs first among the hosted
/// services: says hello, receives and checks the state description and the descriptors, so the proxy and VRRP start
/// from them without touching anything yet. Once the host has started it tells the old process it is ready, and on
/// commit adopts the sessions and resumes the VRRP instances. If the old process abandons the upgrade instead, this
/// process stops without having moved a byte or sent an advert.
/// </summary>
internal sealed class TakeoverReceiver(
    RunArguments arguments, ProcessLineage lineage, ProxyService proxy, VrrpService vrrp, IHostApplicationLifetime lifetime, ILogger<TakeoverReceiver> logger)
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
            new HandoverHello(BuildInfo.Version, StateDescription.CurrentFormat, Environment.ProcessId), HelloJsonContext.Default.HandoverHello));
        var state = ReceiveState(_channel, out var descriptors);
        lineage.Inherit(state, state.Proxy is { } p ? p with { Descriptors = descriptors } : null);
        lineage.Counters.Carry(state.Totals);
        HandoverLog.TakingOver(logger, _parentPid, state.Version, state.Generation, state.Proxy?.Sessions.Count ?? 0, descriptors.Length);
        lifetime.ApplicationStarted.Register(() => _ = Task.Run(Complete, CancellationToken.None));
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

            if (version != StateDescription.CurrentFormat)
            {
                throw new InvalidDataException($"state format {version} is unknown to this build (it reads format {StateDescription.CurrentFormat})");
            }
        }

        var state = JsonSerializer.Deserialize(content, StateJsonContext.Default.StateDescription)
            ?? throw new InvalidDataException("the state description is empty");
        if (state.TimestampFrequency != Stopwatch.Frequency)
        {
            throw new InvalidDataException($"the state's clock ticks {state.TimestampFrequency}/s, this process's {Stopwatch.Frequency}/s");
        }

        if (state.Descriptors < 0 || state.Generation < 1 || state.Totals is null || state.Vrrp is null)
        {
            throw new InvalidDataException("the state description is incomplete");
        }

        return state;
    }

    private void Complete()
    {
        var channel = _channel!;
        string? abandoned = null;
        try
        {
            channel.Send(HandoverFrameType.Ready, ReadOnlySpan<byte>.Empty);
            var (type, payload, fds) = channel.Receive();
            HandoverChannel.Close(fds);
            if (type != HandoverFrameType.Commit)
            {
                abandoned = type == HandoverFrameType.Refuse ? Encoding.UTF8.GetString(payload) : $"unexpected {type} frame";
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or TimeoutException or SocketException)
        {
            // The old process vanished after we were ready: if it is really gone, everything is ours (its copies of
            // the descriptors are closed); if it is alive, it rolled back.
            if (IsAlive(_parentPid))
            {
                abandoned = ex.Message;
            }
        }

        if (abandoned is not null)
        {
            HandoverLog.TakeoverAbandoned(logger, abandoned);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            return;
        }

        var result = proxy.Runtime.IsRunning && lineage.InheritedProxy is not null ? proxy.Runtime.CompleteAdoption() : null;
        if (result is not null)
        {
            lineage.Counters.Adopted(result.Adopted, result.Refused);
        }

        vrrp.StartInherited(lineage.Inherited!.Vrrp);
        lineage.MarkCommitted();
        HandoverLog.TookOver(logger, result?.Adopted ?? 0, result?.Refused.Values.Sum() ?? 0);
    }

    private static bool IsAlive(int pid) => pid > 1 && kill(pid, 0) == 0;
}
