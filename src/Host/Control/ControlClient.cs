using System.Net.Sockets;
using System.Text;

namespace CloudCoreLb.Host.Control;

/// <summary>Sends one request to the daemon's control socket and returns the answer.</summary>
internal static class ControlClient
{
    public static async Task<string> SendAsync(string socketPath, string request, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cts.Token).ConfigureAwait(false);
        await socket.SendAsync(Encoding.UTF8.GetBytes(request + "\n"), SocketFlags.None, cts.Token).ConfigureAwait(false);
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(cts.Token).ConfigureAwait(false);
    }
}
