using static Tmds.Linux.LibC;

namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>
/// Kernel pipes for splice(2), rented only while bytes are in flight and returned empty, so an idle session holds
/// no pipe (haproxy likewise caps pipes with <c>maxpipes</c>). Each pipe costs two descriptors.
/// </summary>
internal sealed unsafe class SplicePipePool : IDisposable
{
    /// <summary>Pipe capacity: bigger pipes move more per splice pair (docs/design/dotnet-notes.md §5 used 1 MiB).</summary>
    public const int PipeSize = 1 << 20;

    private readonly Lock _lock = new();
    private readonly (int Read, int Write)[] _free;
    private int _count;

    public SplicePipePool(int maxPooled = 256) => _free = new (int, int)[maxPooled];

    public (int Read, int Write) Rent()
    {
        lock (_lock)
        {
            if (_count > 0)
            {
                return _free[--_count];
            }
        }

        int* fds = stackalloc int[2];
        if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
        {
            return (-1, -1);
        }

        // Best effort: a smaller pipe still works, it just needs more splice calls.
        _ = fcntl(fds[1], F_SETPIPE_SZ, PipeSize);
        return (fds[0], fds[1]);
    }

    /// <summary>Returns an empty pipe; a pipe that may still hold bytes must be <see cref="Close"/>d instead.</summary>
    public void Return((int Read, int Write) pipe)
    {
        lock (_lock)
        {
            if (_count < _free.Length)
            {
                _free[_count++] = pipe;
                return;
            }
        }

        Close(pipe);
    }

    public static void Close((int Read, int Write) pipe)
    {
        close(pipe.Read);
        close(pipe.Write);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            while (_count > 0)
            {
                Close(_free[--_count]);
            }
        }
    }
}
