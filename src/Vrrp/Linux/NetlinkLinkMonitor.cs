using System.Net;
using System.Net.Sockets;
using CloudCoreLb.Vrrp.Linux.Netlink;
using Microsoft.Extensions.Logging;
using static CloudCoreLb.Vrrp.Linux.Netlink.NetlinkConstants;

namespace CloudCoreLb.Vrrp.Linux;

/// <summary>
/// Watches rtnetlink RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR (docs/design/vrrp.md §7): raises <see cref="LinkChanged"/> when an
/// interface's up-and-running state (IFF_UP and IFF_RUNNING) flips and <see cref="AddressRemoved"/> on RTM_DELADDR.
/// Link down removes no IPv4 address and sends no RTM_DELADDR (docs/design/dotnet-notes.md §2), so both events matter.
/// </summary>
/// <remarks>
/// The sockets are opened in the constructor and belong to the network namespace of the constructing thread. Events
/// are raised on the monitor's receive loop, one at a time; a throwing handler is logged and does not stop the loop.
/// When the kernel drops events because the socket buffer overflowed (ENOBUFS), link state is resynchronised from a
/// dump and the differences are raised; removed addresses lost in the overflow cannot be recovered, so callers that
/// care should re-check their VIPs on <see cref="Resynchronised"/>.
/// </remarks>
internal sealed class NetlinkLinkMonitor : ILinkMonitor, IDisposable
{
    private static readonly TimeSpan s_retryDelay = TimeSpan.FromSeconds(1);

    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly NetlinkSocket _events;
    private readonly NetlinkSocket _requests;
    private readonly Dictionary<int, LinkState> _links = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _receiveLoop;

    public NetlinkLinkMonitor(ILogger logger, TimeProvider? timeProvider = null)
        : this(logger, timeProvider, NetlinkSocket.DefaultReceiveBufferSize)
    {
    }

    /// <summary>Lets tests shrink the event socket's buffer to provoke ENOBUFS.</summary>
    internal NetlinkLinkMonitor(ILogger logger, TimeProvider? timeProvider, int receiveBufferSize)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        _timeProvider = timeProvider ?? TimeProvider.System;

        // Subscribe before the initial dump so no change between the two is missed.
        _events = NetlinkSocket.Open(RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR, receiveBufferSize);
        try
        {
            _requests = NetlinkSocket.Open();
            foreach (var link in _requests.GetLinks())
            {
                _links[link.InterfaceIndex] = new LinkState(link.Name ?? string.Empty, link.IsUpAndRunning);
            }
        }
        catch
        {
            _events.Dispose();
            _requests?.Dispose();
            throw;
        }

        VrrpLinuxLog.LinkMonitorStarted(logger, _links.Count);
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    /// <inheritdoc />
    public event Action<string, bool>? LinkChanged;

    /// <inheritdoc />
    public event Action<string, IPAddress>? AddressRemoved;

    /// <summary>Raised after events were lost (ENOBUFS) and link state was re-read from the kernel.</summary>
    public event Action? Resynchronised;

    /// <inheritdoc />
    /// <remarks>Asks the kernel each time, so the answer never depends on event delivery.</remarks>
    public bool IsUp(string interfaceName) =>
        interfaceName.Length is > 0 and < 16 && _requests.GetLink(interfaceName) is { IsUpAndRunning: true };

    public void Dispose()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _events.Dispose();
        _requests.Dispose();
        try
        {
            _receiveLoop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop logs its own failures; disposal must not throw.
        }

        _stopping.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[NetlinkSocket.ReceiveBufferLength];
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var received = await _events.ReceiveAsync(buffer, token).ConfigureAwait(false);
                HandleDatagram(buffer.AsSpan(0, received));
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.NoBufferSpaceAvailable)
            {
                VrrpLinuxLog.LinkMonitorOverrun(_logger);
                Resynchronise();
            }
            catch (Exception ex)
            {
                VrrpLinuxLog.LinkMonitorReceiveFailed(_logger, ex);
                try
                {
                    await Task.Delay(s_retryDelay, _timeProvider, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Applies every message of one datagram; internal so tests can feed captured datagrams.</summary>
    internal void HandleDatagram(ReadOnlySpan<byte> datagram)
    {
        lock (_gate)
        {
            HandleDatagramLocked(datagram);
        }
    }

    private void HandleDatagramLocked(ReadOnlySpan<byte> datagram)
    {
        var reader = new NetlinkMessageReader(datagram);
        while (reader.TryRead(out var message))
        {
            switch (message.Type)
            {
                case RTM_NEWLINK when RtnlLink.TryParse(message.Payload, out var link):
                    UpdateLink(link.InterfaceIndex, link.Name, link.IsUpAndRunning);
                    break;
                case RTM_DELLINK when RtnlLink.TryParse(message.Payload, out var link):
                    UpdateLink(link.InterfaceIndex, link.Name, up: false);
                    _links.Remove(link.InterfaceIndex);
                    break;
                case RTM_DELADDR when RtnlAddress.TryParse(message.Payload, out var address)
                                      && address.Family is LinuxInterop.AF_INET or LinuxInterop.AF_INET6
                                      && address.EffectiveAddress is { } removed:
                    var name = _links.TryGetValue(address.InterfaceIndex, out var state) ? state.Name : address.Label ?? string.Empty;
                    VrrpLinuxLog.AddressRemovedObserved(_logger, removed, name);
                    Raise(AddressRemoved, name, removed);
                    break;
            }
        }

        if (reader.Malformed)
        {
            VrrpLinuxLog.MalformedNetlinkDatagram(_logger, datagram.Length);
        }
    }

    private void UpdateLink(int index, string? name, bool up)
    {
        var known = _links.TryGetValue(index, out var previous);
        var linkName = name ?? (known ? previous.Name : string.Empty);
        _links[index] = new LinkState(linkName, up);

        // A link we never saw counts as down: a new interface that arrives up is a change worth raising.
        if ((known && previous.Up) != up)
        {
            VrrpLinuxLog.LinkStateChanged(_logger, linkName, up ? "up" : "down");
            Raise(LinkChanged, linkName, up);
        }
    }

    private void Resynchronise()
    {
        lock (_gate)
        {
            ResynchroniseLocked();
        }

        try
        {
            Resynchronised?.Invoke();
        }
        catch (Exception ex)
        {
            VrrpLinuxLog.LinkEventHandlerFailed(_logger, ex);
        }
    }

    private void ResynchroniseLocked()
    {
        try
        {
            var seen = new HashSet<int>();
            foreach (var link in _requests.GetLinks())
            {
                seen.Add(link.InterfaceIndex);
                UpdateLink(link.InterfaceIndex, link.Name, link.IsUpAndRunning);
            }

            foreach (var (index, state) in _links.ToArray())
            {
                if (!seen.Contains(index))
                {
                    UpdateLink(index, state.Name, up: false);
                    _links.Remove(index);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or System.ComponentModel.Win32Exception)
        {
            VrrpLinuxLog.LinkMonitorReceiveFailed(_logger, ex);
        }
    }

    private void Raise<T>(Action<string, T>? handler, string name, T value)
    {
        try
        {
            handler?.Invoke(name, value);
        }
        catch (Exception ex)
        {
            VrrpLinuxLog.LinkEventHandlerFailed(_logger, ex);
        }
    }

    private readonly record struct LinkState(string Name, bool Up);
}
