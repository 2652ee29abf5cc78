using CloudCoreLb.L4Proxy.Forwarding.Native;

namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>
/// Crash recovery (<see cref="Handover.SessionPreservation"/>): an established session older than the threshold is
/// stored, and its journal slot follows whether bytes are in flight; at close it leaves the store.
/// </summary>
internal sealed partial class ProxyConnection
{
    private int _preservedSlot = -1;

    /// <summary>From the loop's sweep: stores the session once it is old enough and nothing is in flight.</summary>
    private void PreserveIfDue(long now)
    {
        if (_preservedSlot >= 0 || _context.Preservation is not { } preservation || now - _started < _context.PreserveAfter
            || _halfClosed != 0 || _toServer.Pending != 0 || _toClient.Pending != 0 || _upstreamFd < 0)
        {
            return;
        }

        if (preservation.TryPreserve(_clientFd, _upstreamFd, out var slot, out _))
        {
            _preservedSlot = slot;
        }
    }

    private void MarkSettledIfIdle()
    {
        if (_preservedSlot >= 0 && !_closed && _halfClosed == 0 && _toServer.Pending == 0 && _toClient.Pending == 0)
        {
            _context.Preservation!.MarkSettled(_preservedSlot);
        }
    }

    /// <summary>
    /// The session ends here (or in the next process): its copies leave the store. The store's copies would keep
    /// the connections open after our close(2), so a real end shuts both sockets down first: the peers see the FIN
    /// now, as they would without the store. A session handed to the next process is not shut down.
    /// </summary>
    private void Unpreserve(CloseReason reason)
    {
        if (_preservedSlot < 0)
        {
            return;
        }

        _context.Preservation!.Release(_preservedSlot);
        _preservedSlot = -1;
        if (reason != CloseReason.HandedOver)
        {
            NativeSocket.ShutdownBoth(_clientFd);
            if (_upstreamFd >= 0)
            {
                NativeSocket.ShutdownBoth(_upstreamFd);
            }
        }
    }
}
