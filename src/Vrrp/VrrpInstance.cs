using System.Buffers;
using System.Net;
using CloudCoreLb.Vrrp.Router;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Vrrp;

/// <summary>
/// One running virtual router: the <see cref="VrrpRouter"/> state machine plus the I/O that feeds it (the
/// transport's receive loop and link events). Owns the transport and disposes it.
/// </summary>
internal sealed class VrrpInstance : IAsyncDisposable
{
    // Adverts are at most 20 + 8 + 4 x 255 + 8 bytes; room for IP options and a jumbo stray datagram.
    private const int ReceiveBufferSize = 2048;
    private readonly IVrrpTransport _transport;
    private readonly ILinkMonitor _links;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _receiveLoop;

    public VrrpInstance(VrrpInstanceOptions options, VrrpRouter router, IVrrpTransport transport, ILinkMonitor links, ILogger logger)
    {
        Options = options;
        Router = router;
        _transport = transport;
        _links = links;
        _logger = logger;
    }

    public VrrpInstanceOptions Options { get; }

    public VrrpRouter Router { get; }

    /// <param name="resume">Where the previous process left off (an upgrade), or null for a fresh start.</param>
    public void Start(VrrpResumePoint? resume = null)
    {
        _links.LinkChanged += OnLinkChanged;
        _links.AddressRemoved += OnAddressRemoved;
        // The router remembers link state reported before Start, so a node booting with eth0 down starts in Fault.
        if (!_links.IsUp(Options.Interface))
        {
            Router.OnLinkChanged(false);
        }

        foreach (var tracked in Options.TrackedInterfaces)
        {
            if (!_links.IsUp(tracked.Name))
            {
                Router.OnTrackedInterfaceChanged(tracked.Name, false);
            }
        }

        if (resume is null)
        {
            Router.Start();
        }
        else
        {
            Router.Resume(resume);
        }

        _receiveLoop = ReceiveLoopAsync(_stop.Token);
    }

    private void OnLinkChanged(string name, bool up)
    {
        if (name == Options.Interface)
        {
            Router.OnLinkChanged(up);
        }

        // Not else: an instance may track its own interface with a weight as well (keepalived allows it).
        Router.OnTrackedInterfaceChanged(name, up);
    }

    private void OnAddressRemoved(string name, IPAddress address)
    {
        // A VIP with its own dev is deleted from that interface.
        if (name == Options.Interface || Options.VirtualAddresses.Any(v => v.Device == name))
        {
            Router.OnAddressRemoved(address);
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                VrrpDatagram datagram;
                try
                {
                    datagram = await _transport.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (ex is System.Net.Sockets.SocketException or ObjectDisposedException)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }

                    // A transient receive error must not stop the instance: log and keep reading.
                    VrrpInstanceLog.ReceiveFailed(_logger, Options.Name, ex);
                    await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (datagram.Truncated)
                {
                    Router.OnTruncatedDatagram();
                    continue;
                }

                if (datagram.Source is { } source)
                {
                    Router.OnIPv6Datagram(buffer.AsSpan(0, datagram.Length), source, datagram.Destination, datagram.HopLimit);
                }
                else
                {
                    Router.OnDatagram(buffer.AsSpan(0, datagram.Length), datagram.Destination);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Clean stop: the router releases (priority-0 advert, VIPs removed), then the I/O stops.</summary>
    public ValueTask DisposeAsync() => CloseAsync(release: true);

    /// <summary>After an upgrade: the I/O stops and nothing is released (the next process holds the VIPs now).</summary>
    public ValueTask DetachAsync() => CloseAsync(release: false);

    private async ValueTask CloseAsync(bool release)
    {
        _links.LinkChanged -= OnLinkChanged;
        _links.AddressRemoved -= OnAddressRemoved;
        if (release)
        {
            Router.Stop();
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_receiveLoop is not null)
        {
            await _receiveLoop.ConfigureAwait(false);
        }

        Router.Dispose();
        _transport.Dispose();
        _stop.Dispose();
    }
}
