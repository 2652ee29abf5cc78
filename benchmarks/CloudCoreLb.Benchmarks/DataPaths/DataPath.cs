using System.Net.Sockets;

namespace CloudCoreLb.Benchmarks.DataPaths;

/// <summary>
/// One way of proxying a session in both directions (benchmark-only seam, so product copiers and the pipeline-based
/// candidates from issue 3 item 5 run under the same harness). <see cref="ProxyAsync"/> returns once both directions
/// have seen FIN and forwarded it as a half-close.
/// </summary>
public abstract class DataPath : IDisposable
{
    /// <summary>Name shown in benchmark tables.</summary>
    public abstract string Name { get; }

    /// <summary>Copies client -> server and server -> client until both sources close.</summary>
    public abstract Task ProxyAsync(Socket client, Socket server);

    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <summary>Every variant under test, in table order.</summary>
    public static DataPath Create(DataPathKind kind) => kind switch
    {
        DataPathKind.SocketCopy => new CopierDataPath("SocketDuplexCopier", new SocketCopiers.SocketDuplexCopier(), null),
        DataPathKind.Splice => CopierDataPath.Splice(),
        DataPathKind.PsuDefault => new PipelinesSocketsDataPath(tuned: false, zeroLengthReads: false),
        DataPathKind.PsuTuned => new PipelinesSocketsDataPath(tuned: true, zeroLengthReads: false),
        DataPathKind.PsuTunedZeroByte => new PipelinesSocketsDataPath(tuned: true, zeroLengthReads: true),
        DataPathKind.StreamCopyToAsync => new StreamPipeReaderDataPath(zeroByteReads: false, copyToAsync: true),
        DataPathKind.StreamPipeReader => new StreamPipeReaderDataPath(zeroByteReads: false, copyToAsync: false),
        DataPathKind.StreamPipeReaderZeroByte => new StreamPipeReaderDataPath(zeroByteReads: true, copyToAsync: false),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
