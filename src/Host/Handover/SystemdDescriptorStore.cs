using System.Collections.Concurrent;
using System.Text;
using CloudCoreLb.L4Proxy.Handover;
using Microsoft.Extensions.Logging;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.Host.Handover;

/// <summary>
/// systemd's file descriptor store (sd_pid_notify_with_fds(3): <c>FDSTORE=1</c>, <c>FDNAME=</c>,
/// <c>FDSTOREREMOVE=1</c>) on the service's NOTIFY_SOCKET. Requests are queued and sent by one thread in order, so an
/// event loop never blocks on the service manager; a stored descriptor is duplicated at once, so the caller may close
/// its own before the request goes out. Nothing is sent before <see cref="Open"/>: systemd takes these messages only
/// from the main process, which a successor is only after the upgrade's commit.
/// </summary>
internal sealed unsafe class SystemdDescriptorStore : IDescriptorStore, IDisposable
{
    private readonly BlockingCollection<(string Name, int[]? Fds)> _queue = [];
    private readonly ManualResetEventSlim _open = new();
    private readonly ILogger _logger;
    private readonly int _socket;
    private readonly byte[] _address;
    private readonly Thread _thread;
    private long _queued;
    private long _done;

    private SystemdDescriptorStore(int socket, byte[] address, ILogger logger)
    {
        _socket = socket;
        _address = address;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "fdstore" };
        _thread.Start();
    }

    /// <summary>The store of the service manager named by NOTIFY_SOCKET, or null when there is none.</summary>
    public static SystemdDescriptorStore? FromEnvironment(ILogger logger)
    {
        var path = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path) || (path[0] != '/' && path[0] != '@') || Encoding.UTF8.GetByteCount(path) >= 108)
        {
            return null;
        }

        var fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            return null;
        }

        // sockaddr_un: family, then the path; '@' is the abstract namespace (a leading NUL).
        var address = new byte[2 + Encoding.UTF8.GetByteCount(path)];
        address[0] = (byte)AF_UNIX;
        Encoding.UTF8.GetBytes(path, address.AsSpan(2));
        if (path[0] == '@')
        {
            address[2] = 0;
        }

        return new SystemdDescriptorStore(fd, address, logger);
    }

    /// <summary>Whether systemd would take <paramref name="name"/> (fdname_is_valid: printable ASCII, no ':', at most 255).</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 255 && name.All(c => c is > ' ' and < (char)127 and not ':');

    public void Store(string name, ReadOnlySpan<int> fds)
    {
        if (!IsValidName(name))
        {
            HandoverLog.StoreFailed(_logger, name, "not a valid FDNAME (printable ASCII without ':', at most 255 characters)");
            return;
        }

        var copies = new int[fds.Length];
        for (var i = 0; i < fds.Length; i++)
        {
            copies[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
            if (copies[i] < 0)
            {
                HandoverLog.StoreFailed(_logger, name, $"dup failed: errno {errno}");
                Close(copies.AsSpan(0, i));
                return;
            }
        }

        Enqueue(name, copies);
    }

    public void Remove(string name)
    {
        if (IsValidName(name))
        {
            Enqueue(name, null);
        }
    }

    /// <summary>From now on requests go out (this process is the service's main process).</summary>
    public void Open() => _open.Set();

    /// <summary>Waits until every request queued so far went out; false after <paramref name="timeout"/>.</summary>
    public bool Flush(TimeSpan timeout)
    {
        var target = Interlocked.Read(ref _queued);
        return SpinWait.SpinUntil(() => Interlocked.Read(ref _done) >= target, timeout);
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        _open.Set();
        _thread.Join(TimeSpan.FromSeconds(2));
        _ = close(_socket);
    }

    private void Enqueue(string name, int[]? fds)
    {
        Interlocked.Increment(ref _queued);
        if (!_queue.TryAdd((name, fds)))
        {
            Close(fds);
            Interlocked.Increment(ref _done);
        }
    }

    private void Run()
    {
        _open.Wait();
        foreach (var (name, fds) in _queue.GetConsumingEnumerable())
        {
            var text = fds is null ? $"FDSTOREREMOVE=1\nFDNAME={name}" : $"FDSTORE=1\nFDNAME={name}";
            var error = Send(Encoding.ASCII.GetBytes(text), fds ?? []);
            if (error != 0)
            {
                HandoverLog.StoreFailed(_logger, name, $"sendmsg failed: errno {error}");
            }

            // systemd holds its own copies now.
            Close(fds);
            Interlocked.Increment(ref _done);
        }
    }

    private int Send(byte[] text, int[] fds)
    {
        var controlLength = AncillaryDescriptors.ControlLength(fds.Length);
        var control = stackalloc byte[Math.Max(controlLength, 1)];
        new Span<byte>(control, Math.Max(controlLength, 1)).Clear();
        fixed (byte* data = text)
        fixed (byte* address = _address)
        {
            var iov = new iovec { iov_base = data, iov_len = (size_t)text.Length };
            var message = new msghdr { msg_name = address, msg_namelen = (socklen_t)_address.Length, msg_iov = &iov, msg_iovlen = 1 };
            AncillaryDescriptors.Attach(&message, control, controlLength, fds);

            while (true)
            {
                if ((long)sendmsg(_socket, &message, MSG_NOSIGNAL) >= 0)
                {
                    return 0;
                }

                var error = errno;
                if (error != EINTR)
                {
                    return error;
                }
            }
        }
    }

    private static void Close(ReadOnlySpan<int> fds)
    {
        foreach (var fd in fds)
        {
            _ = close(fd);
        }
    }
}
