using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using CloudCoreLb.Vrrp.Linux;

namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>
/// An <see cref="HttpClient"/> whose connections start inside a lab node's namespace: each socket is created on a
/// short-lived thread that entered the namespace with setns(CLONE_NEWNET), and a socket keeps its namespace for
/// life. The test process can so reach 127.0.0.1 of a node (the metrics listener, a chromedriver) without a helper
/// process per request.
/// </summary>
internal static class NetnsHttp
{
    public static HttpClient Create(LabNode node, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = CreateSocket(node.Netns);
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(context.DnsEndPoint.Host), context.DnsEndPoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { Timeout = timeout };
    }

    private static Socket CreateSocket(string netns)
    {
        Socket? socket = null;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{netns}");
                LinuxInterop.SetNetworkNamespace(handle);
                socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
        })
        {
            IsBackground = true,
            Name = $"socket in {netns}",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return socket!;
    }
}
