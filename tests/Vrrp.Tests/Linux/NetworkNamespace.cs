using System.Runtime.ExceptionServices;
using CloudCoreLb.Vrrp.Linux;

namespace CloudCoreLb.Vrrp.Tests.Linux;

/// <summary>
/// A throw-away network namespace (`ip netns add ccltest-&lt;random&gt;`), deleted on dispose whatever happened.
/// Code that opens sockets in it runs through <see cref="Run{T}"/>: a dedicated thread enters the namespace with
/// setns(CLONE_NEWNET) first, so every socket it creates (raw, netlink, packet) belongs to the namespace and keeps
/// working from any thread afterwards.
/// </summary>
internal sealed class NetworkNamespace : IDisposable
{
    private bool _disposed;

    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    public static NetworkNamespace Create()
    {
        var name = $"ccltest-{Guid.NewGuid().ToString("N")[..8]}";
        IpCommand.Run("ip", "netns", "add", name);
        var ns = new NetworkNamespace(name);
        try
        {
            ns.Ip("link", "set", "dev", "lo", "up");
            return ns;
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    /// <summary>Runs `ip -n NAME args`.</summary>
    public string Ip(params string[] arguments) => IpCommand.Run("ip", ["-n", Name, .. arguments]);

    /// <summary>Runs <paramref name="action"/> on a thread inside the namespace and returns its result.</summary>
    public T Run<T>(Func<T> action)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{Name}");
                LinuxInterop.SetNetworkNamespace(handle);
                result = action();
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
        })
        {
            IsBackground = true,
            Name = $"netns {Name}",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    public void Run(Action action) => Run(() =>
    {
        action();
        return 0;
    });

    /// <summary>Creates a veth pair between two namespaces, both ends up, each with an address.</summary>
    public static void Connect(NetworkNamespace a, string aName, string aAddress, NetworkNamespace b, string bName, string bAddress)
    {
        a.Ip("link", "add", aName, "type", "veth", "peer", "name", bName, "netns", b.Name);
        a.Ip("addr", "add", aAddress, "dev", aName);
        b.Ip("addr", "add", bAddress, "dev", bName);
        a.Ip("link", "set", "dev", aName, "up");
        b.Ip("link", "set", "dev", bName, "up");
        a.WaitForOperationalUp(aName);
        b.WaitForOperationalUp(bName);
    }

    /// <summary>
    /// Waits until the kernel reports the device operationally up (IFF_RUNNING): the kernel's linkwatch applies
    /// carrier changes asynchronously, so a veth can be admin-up but not yet running for a moment.
    /// </summary>
    public void WaitForOperationalUp(string device)
    {
        var deadline = Environment.TickCount64 + 10_000;
        while (!Ip("-o", "link", "show", "dev", device).Contains("state UP", StringComparison.Ordinal))
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"{device} in {Name} did not come up.");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>
    /// Waits until <paramref name="device"/> has a link-local IPv6 address that passed duplicate address detection
    /// (the kernel adds it tentative when the link comes up, for about a second) and returns it.
    /// </summary>
    public System.Net.IPAddress WaitForLinkLocal(string device)
    {
        var deadline = Environment.TickCount64 + 20_000;
        while (true)
        {
            var line = Ip("-6", "-o", "addr", "show", "dev", device, "scope", "link");
            if (line.Contains("inet6 fe80:", StringComparison.Ordinal) && !line.Contains("tentative", StringComparison.Ordinal))
            {
                var start = line.IndexOf("fe80:", StringComparison.Ordinal);
                return System.Net.IPAddress.Parse(line[start..line.IndexOf('/', start)]);
            }

            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"{device} in {Name} has no usable link-local address: {line}");
            }

            Thread.Sleep(50);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            IpCommand.Run("ip", "netns", "del", Name);
        }
        catch (InvalidOperationException)
        {
            // Already gone; nothing left to clean.
        }
    }
}
