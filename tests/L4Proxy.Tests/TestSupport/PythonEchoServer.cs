using System.Diagnostics;
using System.Net;

namespace CloudCoreLb.L4Proxy.Tests.TestSupport;

/// <summary>
/// An asyncio echo backend in a child process, so its sockets do not count against this process's 20 000 file
/// descriptors (5 000 sessions = 5 000 client + 5 000 accepted + 5 000 upstream here, 5 000 there).
/// </summary>
internal sealed class PythonEchoServer : IDisposable
{
    private const string Script = """
        import asyncio
        async def handle(reader, writer):
            try:
                while True:
                    data = await reader.read(65536)
                    if not data:
                        break
                    writer.write(data)
                    await writer.drain()
            except Exception:
                pass
            finally:
                writer.close()
        async def main():
            server = await asyncio.start_server(handle, '127.0.0.1', 0, backlog=4096)
            print(server.sockets[0].getsockname()[1], flush=True)
            await server.serve_forever()
        asyncio.run(main())
        """;

    private readonly Process _process;

    public PythonEchoServer()
    {
        var start = new ProcessStartInfo("python3", ["-c", Script]) { RedirectStandardOutput = true, UseShellExecute = false };
        _process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        var line = _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("python3 echo server printed no port");
        EndPoint = new IPEndPoint(IPAddress.Loopback, int.Parse(line));
    }

    public IPEndPoint EndPoint { get; }

    public void Dispose()
    {
        _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
    }
}
