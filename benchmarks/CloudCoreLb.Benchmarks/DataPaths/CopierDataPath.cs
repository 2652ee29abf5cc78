using System.Net.Sockets;
using CloudCoreLb.Benchmarks.DataPaths.SocketCopiers;
using CloudCoreLb.L4Proxy.Forwarding;

namespace CloudCoreLb.Benchmarks.DataPaths;

/// <summary>
/// A product <see cref="IDuplexCopier"/> driven the way <c>ProxyConnection</c> drives it: one call per direction,
/// and the destination is half-closed when the source's FIN arrives.
/// </summary>
internal sealed class CopierDataPath(string name, IDuplexCopier copier, IDisposable? owned) : DataPath
{
    private static readonly NullObserver Observer = new();

    public override string Name => name;

    public static CopierDataPath Splice()
    {
        var splice = new SpliceDuplexCopier();
        return new CopierDataPath("SpliceDuplexCopier", splice, splice);
    }

    public override Task ProxyAsync(Socket client, Socket server) =>
        Task.WhenAll(DirectionAsync(client, server, fromClient: true), DirectionAsync(server, client, fromClient: false));

    public override void Dispose()
    {
        owned?.Dispose();
        base.Dispose();
    }

    private async Task DirectionAsync(Socket source, Socket destination, bool fromClient)
    {
        var result = await copier.CopyAsync(source, destination, Observer, fromClient).ConfigureAwait(false);
        if (result != CopyResult.SourceClosed)
        {
            throw new InvalidOperationException($"{name}: copy ended with {result}.");
        }

        destination.Shutdown(SocketShutdown.Send);
    }

    private sealed class NullObserver : ICopyObserver
    {
        public void OnReceived(bool fromClient, int bytes)
        {
        }

        public void OnSent(bool fromClient, int bytes)
        {
        }
    }
}
