using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using static CloudCoreLb.Vrrp.Linux.Netlink.NetlinkConstants;

namespace CloudCoreLb.Vrrp.Linux.Netlink;

/// <summary>Handles one message of a dump; the message is only valid during the call.</summary>
internal delegate void NetlinkMessageHandler(in NetlinkMessage message);

/// <summary>
/// A NETLINK_ROUTE socket: request/ACK and dump exchanges for the VIP manager, or a group subscription for the link
/// monitor. Created natively (the .NET PAL does not map AF_NETLINK) and used through the managed <see cref="Socket"/>.
/// A socket belongs to the network namespace of the thread that created it. Request methods are serialised by a lock.
/// </summary>
internal sealed partial class NetlinkSocket : IDisposable
{
    /// <summary>Kernel dumps fill at most one page-sized skb per recv by default; 64 KiB covers larger pages too.</summary>
    public const int ReceiveBufferLength = 64 * 1024;

    private static readonly TimeSpan s_replyTimeout = TimeSpan.FromSeconds(5);

    private readonly Socket _socket;
    private readonly Lock _lock = new();
    private readonly byte[] _receiveBuffer = new byte[ReceiveBufferLength];
    private uint _sequence;

    private NetlinkSocket(Socket socket)
    {
        _socket = socket;
        _sequence = (uint)Environment.TickCount;
    }

    /// <summary>Default SO_RCVBUF: room for a burst of events (hundreds of VIP or link changes) before ENOBUFS.</summary>
    public const int DefaultReceiveBufferSize = 1024 * 1024;

    /// <summary>Opens and binds a socket; <paramref name="groups"/> is the RTMGRP_* mask to subscribe to (0 for none).</summary>
    public static NetlinkSocket Open(uint groups = 0, int receiveBufferSize = DefaultReceiveBufferSize)
    {
        var socket = LinuxInterop.CreateSocket(LinuxInterop.AF_NETLINK, LinuxInterop.SOCK_RAW, LinuxInterop.NETLINK_ROUTE);
        try
        {
            socket.ReceiveBufferSize = receiveBufferSize;
            // Replies to our own requests never take long; a bounded wait turns a kernel surprise into an error.
            socket.ReceiveTimeout = (int)s_replyTimeout.TotalMilliseconds;
            socket.Bind(new NetlinkEndPoint(0, groups));
            return new NetlinkSocket(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public uint NextSequence() => Interlocked.Increment(ref _sequence);

    /// <summary>
    /// Sends a request carrying NLM_F_ACK and returns the kernel's answer: 0 for success or a negative errno.
    /// </summary>
    public int Execute(ReadOnlySpan<byte> request, uint sequence)
    {
        lock (_lock)
        {
            _socket.Send(request);
            while (true)
            {
                var received = _socket.Receive(_receiveBuffer);
                var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, received));
                while (reader.TryRead(out var message))
                {
                    if (message.Sequence == sequence && message.TryGetError(out var error))
                    {
                        return error;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Sends a dump request (or a get request with NLM_F_ACK) and hands each reply message to
    /// <paramref name="handler"/> until NLMSG_DONE or the ACK. An NLMSG_ERROR with an error code throws a
    /// <see cref="Win32Exception"/> whose <see cref="Win32Exception.NativeErrorCode"/> is the errno. A dump the kernel
    /// marks interrupted (NLM_F_DUMP_INTR, the table changed meanwhile) is used as is: our queries are point-in-time
    /// answers that the next event or call refreshes anyway.
    /// </summary>
    public void Query(ReadOnlySpan<byte> request, uint sequence, NetlinkMessageHandler handler)
    {
        lock (_lock)
        {
            _socket.Send(request);
            while (true)
            {
                var received = _socket.Receive(_receiveBuffer);
                var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, received));
                while (reader.TryRead(out var message))
                {
                    if (message.Sequence != sequence)
                    {
                        continue;
                    }

                    if (message.Type == NLMSG_DONE)
                    {
                        return;
                    }

                    if (message.TryGetError(out var error))
                    {
                        if (error == 0)
                        {
                            return;
                        }

                        throw ErrnoException(-error, "netlink dump");
                    }

                    handler(in message);
                }
            }
        }
    }

    /// <summary>Receives one datagram of group notifications (link monitor).</summary>
    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public void Dispose() => _socket.Dispose();

    /// <summary>An exception carrying the strerror text of <paramref name="errno"/>.</summary>
    public static Win32Exception ErrnoException(int errno, string operation) =>
        new(errno, $"{operation} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
}
