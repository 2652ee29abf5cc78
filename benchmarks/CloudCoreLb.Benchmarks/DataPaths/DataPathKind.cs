namespace CloudCoreLb.Benchmarks.DataPaths;

/// <summary>The data-path variants compared in <see cref="CopierBenchmarks"/> and the idle-memory probe.</summary>
public enum DataPathKind
{
    /// <summary>Product: zero-byte receive, then a pooled 64 KiB array (<c>SocketDuplexCopier</c>).</summary>
    SocketCopy,

    /// <summary>Product default: splice(2) through a pooled pipe (<c>SpliceDuplexCopier</c>).</summary>
    Splice,

    /// <summary>Pipelines.Sockets.Unofficial <c>SocketConnection</c> with the package's default options.</summary>
    PsuDefault,

    /// <summary>Pipelines.Sockets.Unofficial with the tuned PipeOptions of dotnet-notes §5.</summary>
    PsuTuned,

    /// <summary><c>PipeReader.Create(NetworkStream)</c> copied into the other <c>NetworkStream</c>.</summary>
    StreamPipeReader,
}
