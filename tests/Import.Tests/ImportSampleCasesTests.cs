using CloudCoreLb.Host.Configuration;

namespace CloudCoreLb.Import.Tests;

/// <summary>
/// The cases keepalived's doc/samples and haproxy's examples directory raise, each reproduced by an input written
/// here (theirs are not copied): the import must produce a file that passes the full configuration check and must
/// say what it changed.
/// </summary>
public sealed class ImportSampleCasesTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("cloudcore-lb-samples-");

    public void Dispose() => _dir.Delete(recursive: true);

    // A script run as root must be root-owned and not writable by others; as another user it needs 'user'.
    private static string RunAs => Environment.IsPrivilegedProcess ? "" : $"\n user {Environment.UserName}";

    private const string Instance = "vrrp_instance VI_1 {\n state MASTER\n interface eth0\n virtual_router_id 51\n priority 100\n";

    private const string Vip = " virtual_ipaddress {\n  192.0.2.18/24\n }\n";

    private const string HaproxyDefaults = "defaults\n mode tcp\n timeout client 1m\n timeout server 1m\n timeout connect 5s\n";

    public static TheoryData<string, string?, string?, string> Cases => new()
    {
        // keepalived.conf.vrrp: one VIP given twice, the second time with a label.
        { "vip-twice", Instance + " virtual_ipaddress {\n  192.0.2.16\n  192.0.2.17\n  192.0.2.17 label eth0:1\n }\n}\n", null, "virtual address 192.0.2.17 is listed again" },

        // keepalived.conf.vrrp.localcheck: a process check by bare command name, which keepalived finds on PATH.
        { "bare-command", $"vrrp_script chk_sshd {{\n script \"killall -0 sshd\"\n interval 2\n weight -4{RunAs}\n}}\n" + Instance + Vip + " track_script {\n  chk_sshd\n }\n}\n", null, "'killall' resolved on PATH to" },

        // keepalived.conf.vrrp.localcheck: bash's /dev/tcp connect test, and its 'nc -z' alternative.
        { "dev-tcp", "vrrp_script chk_http {\n script \"</dev/tcp/127.0.0.1/80\"\n}\nvrrp_script chk_smtp {\n script \"nc -z 127.0.0.1 25\"\n}\n" + Instance + Vip + " track_script {\n  chk_http\n  chk_smtp\n }\n}\n", null, "imported as the native tcp check on 127.0.0.1:25" },

        // Two servers of one backend on one host (haproxy's quick-test style with a second port).
        { "shared-host", null, HaproxyDefaults + "frontend f\n bind :8080\n default_backend b\nbackend b\n server s1 192.0.2.1:8000 check\n server s2 192.0.2.1:8001 check port 9000\n", "so the import sets 'group_servers_by_host: false'" },

        // mptcp.cfg: a server address with a protocol prefix.
        { "mptcp-server", null, HaproxyDefaults + "frontend main\n bind :4242\n default_backend m\nbackend m\n server s mptcp@[::]:4331\n", "backend m has no server that can be imported" },

        // option-http_proxy.cfg and socks4.cfg: a port-less server and a stats backend with no server at all.
        { "serverless-backends", null, HaproxyDefaults + "frontend p\n bind :3128\n default_backend next\nfrontend s\n bind :8081\n default_backend stats\nbackend next\n server next-hop 0.0.0.0\nbackend stats\n stats uri /\nlisten ok\n bind :9000\n server a 192.0.2.1:9000\n", "default_backend 'stats' is not defined or not imported; the frontend is left out" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheImportOfEachSampleCasePassesTheFullCheckAndSaysWhatItChanged(string name, string? keepalived, string? haproxy, string expected)
    {
        var diagnostics = new ImportDiagnostics();
        var options = new ImportOptions
        {
            ReadScript = _ => null,

            // /bin/true stands in for killall (psmisc is not on every test machine): what is tested is that the
            // found path is written and then passes the check's script rules, which a real root-owned binary does.
            ResolveCommand = command => command == "killall" ? "/bin/true" : null,
        };
        var keepalivedFiles = keepalived is null ? new List<string>() : [Write($"{name}.conf", keepalived)];
        var haproxyFile = haproxy is null ? null : Write($"{name}.cfg", haproxy);

        var yaml = Importer.Run(keepalivedFiles, haproxyFile, options, diagnostics);

        Assert.Contains(expected, string.Join("\n", diagnostics.Items));
        var exception = Record.Exception(() => ConfigLoader.Parse(yaml, $"{name}.yaml", "lb01"));
        Assert.True(exception is null, $"{exception?.Message}\n{yaml}");
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }
}
