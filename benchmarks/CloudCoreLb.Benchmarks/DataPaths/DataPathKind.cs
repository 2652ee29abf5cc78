namespace CloudCoreLb.Benchmarks.DataPaths;

/// <summary>The data-path variants compared in <see cref="CopierBenchmarks"/> and the idle-memory probe.</summary>
public enum DataPathKind
{
    /// <summary>Socket-based copy loop (the product's data path before the epoll loops): zero-byte receive, then a pooled 64 KiB array (<c>SocketDuplexCopier</c>).</summary>
    SocketCopy,

    /// <summary>Socket-based splice(2) through a pooled pipe (<c>SpliceDuplexCopier</c>; the product now splices from its own epoll loops).</summary>
    Splice,

    /// <summary>Pipelines.Sockets.Unofficial <c>SocketConnection</c> with the package's default options.</summary>
    PsuDefault,

    /// <summary>Pipelines.Sockets.Unofficial with the tuned PipeOptions of docs/design/dotnet-notes.md §5.</summary>
    PsuTuned,

    /// <summary>As <see cref="PsuTuned"/> plus <c>SocketConnectionOptions.ZeroLengthReads</c> (no segment held while idle).</summary>
    PsuTunedZeroByte,

    /// <summary>
    /// <c>PipeReader.Create(NetworkStream).CopyToAsync(NetworkStream)</c>, the docs/design/dotnet-notes.md §5 variant. StreamPipeReader
    /// overrides <c>CopyToAsync(Stream)</c> to drain its buffer and then call the inner stream's <c>CopyToAsync</c>, so
    /// this is really <c>Stream.CopyToAsync</c> (pooled 80 KiB buffer per direction, held while idle).
    /// </summary>
    StreamCopyToAsync,

    /// <summary><c>PipeReader.Create(NetworkStream)</c> with an explicit ReadAsync / WriteAsync / AdvanceTo loop.</summary>
    StreamPipeReader,

    /// <summary>As <see cref="StreamPipeReader"/> with <c>useZeroByteReads: true</c> (no buffer held while idle).</summary>
    StreamPipeReaderZeroByte,
}
