using System.Globalization;

namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>
/// A throw-away L2 segment: a "switch" namespace holding a bridge, and hosts in their own namespaces, each with an
/// interface named <c>eth0</c> (the seed's name) in 10.10.102.0/24 (the seed's subnet). Nothing touches the host's
/// own namespace; <see cref="Dispose"/> kills every process the lab started and deletes every namespace. Namespace
/// names carry the test process's pid, so a run only ever cleans up what a dead run left behind, never the namespaces
/// of another run going on beside it.
/// </summary>
internal sealed class NetnsLab : IDisposable
{
    public const string Subnet = "10.10.102";
    public const string Vip = "10.10.102.242";
    private const string Prefix = "cclt";
    private static int s_staleCleaned;
    private readonly List<string> _namespaces = [];
    private readonly List<LabProcess> _processes = [];
    private readonly string _dir;

    private NetnsLab(string id)
    {
        Id = id;
        _dir = System.IO.Directory.CreateTempSubdirectory($"cloudcore-lb-lab-{id}-").FullName;
    }

    public string Id { get; }

    public string SwitchNetns => $"{Owner}{Id}sw";

    /// <summary>The start of every namespace name of this test process: prefix, pid, separator.</summary>
    private static string Owner => $"{Prefix}{Environment.ProcessId}x";

    public IReadOnlyList<LabNode> Nodes { get; private set; } = [];

    /// <summary>A host on the segment that runs no VRRP: the edge client.</summary>
    public LabNode? Client { get; private set; }

    /// <summary>Directory for this lab's config files and logs.</summary>
    public string Directory => _dir;

    /// <summary>Second segment (bridge br1, <c>eth1</c> on every node) when created with two segments.</summary>
    public const string Subnet2 = "10.10.103";

    public static NetnsLab Create(int nodes, bool withClient = false, int segments = 1)
    {
        CleanStale();
        var lab = new NetnsLab(Random.Shared.Next(0x1000, 0xFFFF).ToString("x4", CultureInfo.InvariantCulture));
        try
        {
            lab.Build(nodes, withClient);
            if (segments > 1)
            {
                lab.AddSecondSegment();
            }

            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    private void Build(int nodes, bool withClient)
    {
        AddNamespace(SwitchNetns);
        Shell.Run("ip", "-n", SwitchNetns, "link", "add", "br0", "type", "bridge");
        // No STP forwarding delay: ports forward at once, as a plain switch would.
        Shell.Run("ip", "-n", SwitchNetns, "link", "set", "br0", "type", "bridge", "forward_delay", "0");
        Shell.Run("ip", "-n", SwitchNetns, "link", "set", "br0", "up");
        var list = new List<LabNode>();
        for (var i = 1; i <= nodes; i++)
        {
            list.Add(AddHost(i, $"{Subnet}.{10 + i}"));
        }

        Nodes = list;
        if (withClient)
        {
            Client = AddHost(100, $"{Subnet}.100");
        }
    }

    private void AddSecondSegment()
    {
        Shell.Run("ip", "-n", SwitchNetns, "link", "add", "br1", "type", "bridge");
        Shell.Run("ip", "-n", SwitchNetns, "link", "set", "br1", "type", "bridge", "forward_delay", "0");
        Shell.Run("ip", "-n", SwitchNetns, "link", "set", "br1", "up");
        foreach (var node in Nodes)
        {
            var port = $"w{node.Index}";
            Shell.Run("ip", "-n", SwitchNetns, "link", "add", port, "type", "veth", "peer", "name", "eth1", "netns", node.Netns);
            Shell.Run("ip", "-n", SwitchNetns, "link", "set", port, "master", "br1");
            Shell.Run("ip", "-n", SwitchNetns, "link", "set", port, "up");
            Shell.Run("ip", "-n", node.Netns, "addr", "add", $"{Subnet2}.{10 + node.Index}/24", "dev", "eth1");
            Shell.Run("ip", "-n", node.Netns, "link", "set", "eth1", "up");
        }
    }

    private LabNode AddHost(int index, string address)
    {
        var ns = $"{Owner}{Id}n{index}";
        AddNamespace(ns);
        var port = $"v{index}";
        Shell.Run("ip", "-n", SwitchNetns, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
        Shell.Run("ip", "-n", SwitchNetns, "link", "set", port, "master", "br0");
        Shell.Run("ip", "-n", SwitchNetns, "link", "set", port, "up");
        Shell.Run("ip", "-n", ns, "addr", "add", $"{address}/24", "dev", "eth0");
        Shell.Run("ip", "-n", ns, "link", "set", "eth0", "up");
        Shell.Run("ip", "-n", ns, "link", "set", "lo", "up");
        return new LabNode(index, ns, address);
    }

    private void AddNamespace(string name)
    {
        Shell.Run("ip", "netns", "add", name);
        _namespaces.Add(name);
    }

    /// <summary>Writes a file into the lab directory and returns its path.</summary>
    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Starts a process inside a node's namespace; the lab kills it on dispose.</summary>
    public LabProcess Start(LabNode node, string name, string file, params string[] args) => Start(node, name, file, args, env: null);

    /// <summary>Starts a process inside a node's namespace with extra environment variables; the lab kills it on dispose.</summary>
    public LabProcess Start(LabNode node, string name, string file, IEnumerable<string> args, IDictionary<string, string>? env)
    {
        var p = LabProcess.Start(name, node.Netns, file, args, env);
        lock (_processes)
        {
            _processes.Add(p);
        }

        return p;
    }

    /// <summary>Starts our daemon on <paramref name="node"/> with a config file (the same file on every node).</summary>
    public LabProcess StartDaemon(LabNode node, string configPath, params string[] extraArgs) =>
        Start(node, $"cloudcore-lb@{node.Name}", DaemonPath,
            ["run", "--config", configPath, "--node", node.Name, "--socket", ControlSocket(node), .. extraArgs]);

    /// <summary>Each lab daemon's own control socket (the file system is shared by every namespace).</summary>
    public string ControlSocket(LabNode node) => Path.Combine(_dir, $"{node.Name}.sock");

    /// <summary>
    /// Starts Debian's keepalived in the foreground with its own pid files and console logging, and its TMPDIR in
    /// <see cref="KeepalivedDirectory"/>: the files it writes on signals (<c>keepalived.stats</c>) are the node's own,
    /// not a <c>/tmp</c> file every concurrent lab would share. <paramref name="env"/> adds variables (a faked clock).
    /// </summary>
    public LabProcess StartKeepalived(LabNode node, string configPath, IDictionary<string, string>? env = null)
    {
        var run = KeepalivedDirectory(node);
        System.IO.Directory.CreateDirectory(run);
        return Start(node, $"keepalived@{node.Name}", "keepalived",
            ["--dont-fork", "--log-console", "--log-detail", "--vrrp", "--use-file", configPath,
            "--pid", Path.Combine(run, "keepalived.pid"), "--vrrp_pid", Path.Combine(run, "vrrp.pid"),
            "--checkers_pid", Path.Combine(run, "checkers.pid")],
            new Dictionary<string, string>(env ?? new Dictionary<string, string>()) { ["TMPDIR"] = run });
    }

    /// <summary>Where a node's keepalived keeps its pid files and writes its stats.</summary>
    public string KeepalivedDirectory(LabNode node) => Path.Combine(_dir, node.Name);

    /// <summary>
    /// Signals every process in the node's namespace (keepalived's parent and child alike). For SIGKILL they are
    /// stopped first: keepalived's child has PR_SET_PDEATHSIG=SIGTERM and would otherwise release cleanly in the
    /// moment between the parent's death and its own, which is not what a crash or power loss looks like. Returns the
    /// local time the signals had been sent (the processes fell silent before it).
    /// </summary>
    public DateTime KillAll(LabNode node, int signal = 9)
    {
        var pids = Shell.RunChecked("ip", ["netns", "pids", node.Netns], check: false).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (pids.Length > 0)
        {
            if (signal == 9)
            {
                Shell.TryRun("kill", ["-STOP", .. pids]);
            }

            Shell.TryRun("kill", [$"-{signal}", .. pids]);
        }

        return DateTime.Now;
    }

    /// <summary>The path of the daemon built next to the tests.</summary>
    public static string DaemonPath => Path.Combine(AppContext.BaseDirectory, "cloudcore-lb");

    /// <summary>True when <paramref name="address"/> is configured on the node's <paramref name="device"/>.</summary>
    public static bool HasAddress(LabNode node, string address, string device = "eth0")
    {
        var output = Shell.RunChecked("ip", ["-n", node.Netns, "-4", "-o", "addr", "show", "dev", device], check: false).Output;
        return output.Contains($" {address}/", StringComparison.Ordinal);
    }

    public void Dispose()
    {
        lock (_processes)
        {
            foreach (var p in _processes)
            {
                p.Dispose();
            }
        }

        foreach (var ns in _namespaces.AsEnumerable().Reverse())
        {
            // Anything still running in the namespace (a forked keepalived child) goes first.
            var pids = Shell.RunChecked("ip", ["netns", "pids", ns], check: false).Output
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (pids.Length > 0)
            {
                Shell.TryRun("kill", ["-9", .. pids]);
            }

            Shell.TryRun("ip", "netns", "del", ns);
        }

        try
        {
            System.IO.Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// Removes namespaces a previous, killed test run left behind: ours by prefix, and owned by a process that no
    /// longer exists (the pid in the name), so labs of a concurrent run stay untouched.
    /// </summary>
    private static void CleanStale()
    {
        if (Interlocked.Exchange(ref s_staleCleaned, 1) == 1)
        {
            return;
        }

        var list = Shell.RunChecked("ip", ["netns", "list"], check: false).Output;
        foreach (var line in list.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split(' ')[0];
            if (OwnerPid(name) is { } pid && pid != Environment.ProcessId && !System.IO.Directory.Exists($"/proc/{pid}"))
            {
                Shell.TryRun("ip", "netns", "del", name);
            }
        }
    }

    /// <summary>The pid in a lab namespace name (<c>cclt&lt;pid&gt;x...</c>), or null for any other name.</summary>
    internal static int? OwnerPid(string name)
    {
        if (!name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var end = name.IndexOf('x', Prefix.Length);
        return end > Prefix.Length && int.TryParse(name.AsSpan(Prefix.Length, end - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? pid
            : null;
    }
}
