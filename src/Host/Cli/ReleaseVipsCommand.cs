using CloudCoreLb.Vrrp.Linux;

namespace CloudCoreLb.Host.Cli;

/// <summary>
/// <c>cloudcore-lb release-vips</c>: removes every address carrying our netlink mark (IFA_PROTO), on every interface.
/// Addresses configured by hand or by keepalived carry no mark and are never touched.
/// </summary>
internal static class ReleaseVipsCommand
{
    public static int Execute(bool waitStdin, TextWriter stdout, TextWriter stderr)
    {
        if (waitStdin && Console.In.ReadLine() == "exit")
        {
            return 0;
        }

        try
        {
            var released = NetlinkVipManager.RemoveMarkedAddresses(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            foreach (var address in released)
            {
                stdout.WriteLine($"released {address}");
            }

            if (released.Count == 0)
            {
                stdout.WriteLine("no addresses of ours to release");
            }

            return 0;
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or InvalidOperationException)
        {
            stderr.WriteLine($"release-vips failed: {ex.Message}");
            return 1;
        }
    }
}
