using System.Net.Sockets;
using CloudCoreLb.L4Proxy.Forwarding;
using CloudCoreLb.L4Proxy.Tests.TestSupport;

namespace CloudCoreLb.L4Proxy.Tests.Forwarding;

/// <summary>Runs alone: 5 000 sessions saturate the thread pool and would make timing tests elsewhere flaky.</summary>
[Collection(nameof(ScaleTests))]
[CollectionDefinition(nameof(ScaleTests), DisableParallelization = true)]
public sealed class ScaleTests
{
    private const int Sessions = 5000;

    [Fact]
    public async Task FiveThousandConcurrentSessions_AllEcho_AndAllCloseCleanly()
    {
        using var echo = new PythonEchoServer();
        var fe = TestProxy.Frontend("fe", "be");
        fe.MaxConnections = Sessions + 100;
        await using var proxy = await TestProxy.StartAsync(fe, TestProxy.Backend("be", echo.EndPoint), o => o.MaxConnections = Sessions + 100);
        var endPoint = proxy.GetFrontendEndPoint("fe");
        var clients = new Socket[Sessions];
        try
        {
            // Connect in waves of 500 so the 4096-entry backlog never overflows.
            for (var wave = 0; wave < Sessions; wave += 500)
            {
                var connects = new Task[500];
                for (var i = 0; i < 500; i++)
                {
                    var index = wave + i;
                    connects[i] = Task.Run(async () => clients[index] = await TestProxy.ConnectAsync(endPoint));
                }

                await Task.WhenAll(connects);
            }

            var counters = proxy.GetFrontendStatus().Single().Counters;
            await Wait.UntilAsync(() => counters.Active == Sessions, $"{Sessions} sessions open at once", 30000);

            var echoes = clients.Select(async (client, i) =>
            {
                var message = BitConverter.GetBytes(i);
                await client.SendAsync(message);
                return BitConverter.ToInt32(await TestProxy.ReadExactlyAsync(client, 4, 30000)) == i;
            });
            var ok = await Task.WhenAll(echoes);
            Assert.Equal(Sessions, ok.Count(x => x));

            foreach (var client in clients)
            {
                client.Shutdown(SocketShutdown.Send);
            }

            await Wait.UntilAsync(() => counters.Active == 0, "every session ended", 30000);
            Assert.Equal(Sessions, counters.Closed(CloseReason.ClientClosed));
            Assert.Equal(Sessions * 4L, counters.BytesIn);
        }
        finally
        {
            foreach (var client in clients)
            {
                client?.Dispose();
            }
        }
    }
}
