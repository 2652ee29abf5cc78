using System.Text.Json;
using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Operations;

/// <summary>
/// The importer over the real-world cases of issue 16 (keepalived's doc/samples, haproxy's examples), end to end: the
/// real <c>cloudcore-lb import</c> converts own inputs that reproduce them, its own check passes, and the daemon runs
/// the result in the lab: it takes the VIP and serves clients through both servers of a shared host.
/// </summary>
public sealed class ImportedConfigTests(ITestOutputHelper output)
{
    [RootFact]
    public void AnImportOfTheSampleCasesPassesItsCheckAndRunsServingBothServersOfASharedHost()
    {
        using var lab = NetnsLab.Create(1, withClient: true);
        var node = lab.Nodes[0];

        // Repeated VIP (keepalived.conf.vrrp), a command by bare name (killall in .localcheck; 'true' is on every
        // machine) and bash's /dev/tcp connect test (.localcheck), here against the CloudCore stand-in.
        var keepalived = lab.WriteFile("keepalived.conf", $$"""
            global_defs {
              router_id {{node.Name}}
            }
            vrrp_script chk_alive {
              script "true"
              interval 1
            }
            vrrp_script chk_cloudcore {
              script "</dev/tcp/127.0.0.1/10000"
              interval 1
            }
            vrrp_instance CloudCore {
              interface eth0
              virtual_router_id 167
              priority 100
              advert_int 1
              virtual_ipaddress {
                {{NetnsLab.Vip}}/24
                {{NetnsLab.Vip}}
              }
              track_script {
                chk_alive
                chk_cloudcore
              }
            }
            """);

        // Two servers of one backend on one host (the stand-in's 10000 and 10002).
        var haproxy = lab.WriteFile("haproxy.cfg", $"""
            defaults
              mode tcp
              timeout connect 5s
              timeout client 1m
              timeout server 1m
            frontend cloudcore_front
              bind *:10010
              default_backend cloudcore_back
            backend cloudcore_back
              balance roundrobin
              server cc_a {node.Address}:10000 check inter 500
              server cc_b {node.Address}:10002 check inter 500
            """);
        var config = Path.Combine(lab.Directory, "cloudcore-lb.yaml");

        var import = Shell.RunChecked(NetnsLab.DaemonPath, ["import", "--keepalived", keepalived, "--haproxy", haproxy, "--output", config], check: false);
        output.WriteLine(import.Error);
        output.WriteLine(File.ReadAllText(config));

        Assert.Equal(0, import.ExitCode);
        Assert.Contains($"virtual address {NetnsLab.Vip} is listed again", import.Error, StringComparison.Ordinal);
        Assert.Contains("vrrp_script chk_alive: 'true' resolved on PATH to /", import.Error, StringComparison.Ordinal);
        Assert.Contains("imported as the native tcp check on 127.0.0.1:10000", import.Error, StringComparison.Ordinal);
        Assert.Contains("servers cc_a, cc_b share host", import.Error, StringComparison.Ordinal);
        Assert.EndsWith("configuration is valid (1 VRRP instance(s), node '" + Environment.MachineName + "')", import.Error.TrimEnd(), StringComparison.Ordinal);

        Assert.True(LabConfigs.StartCloudCore(lab, node).WaitForOutput("listening", TimeSpan.FromSeconds(10)));
        using var sampler = new VipSampler(lab.Nodes);
        var daemon = lab.StartDaemon(node, config);
        Assert.True(sampler.WaitForSoleHolder(1, TimeSpan.Zero, TimeSpan.FromSeconds(15)) is not null, daemon.Output);
        Assert.True(WaitForServersUp(lab, node, 2, TimeSpan.FromSeconds(30)), daemon.Output);

        var client = lab.Start(lab.Client!, "edge-client", "python3", Path.Combine(AppContext.BaseDirectory, "Lab", "lab_client.py"), NetnsLab.Vip, "10010", "2", "100");
        Assert.True(client.WaitForExit(TimeSpan.FromSeconds(60)), client.Output);
        output.WriteLine(client.Output);
        Assert.Contains(" fail=0 ", client.Output, StringComparison.Ordinal);
        Assert.Contains($"{node.Name}:10000=", client.Output, StringComparison.Ordinal);
        Assert.Contains($"{node.Name}:10002=", client.Output, StringComparison.Ordinal);
    }

    private static bool WaitForServersUp(NetnsLab lab, LabNode node, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var status = Shell.RunChecked(NetnsLab.DaemonPath, ["status", "--json", "--socket", lab.ControlSocket(node)], check: false);
            if (status.ExitCode == 0)
            {
                using var json = JsonDocument.Parse(status.Output);
                if (json.RootElement.GetProperty("servers").EnumerateArray().Count(s => s.GetProperty("up").GetBoolean()) >= count)
                {
                    return true;
                }
            }

            Thread.Sleep(200);
        }

        return false;
    }
}
