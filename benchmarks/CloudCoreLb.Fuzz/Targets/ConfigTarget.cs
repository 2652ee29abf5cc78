using System.Net.Sockets;
using CloudCoreLb.Fuzz.Engine;
using CloudCoreLb.Host.Configuration;

namespace CloudCoreLb.Fuzz.Targets;

/// <summary>
/// cloudcore-lb.yaml through the loader (<see cref="ConfigLoader.Parse"/>): accepted, or rejected with a
/// <see cref="ConfigException"/> whose every error names the file and a line.
/// </summary>
internal sealed class ConfigTarget : FuzzTarget
{
    private const string File = "/etc/cloudcore-lb/cloudcore-lb.yaml";

    public override string Name => "config";

    public override int MaxInputLength => 8192;

    public override long AllocationBudget(int length) => (4 * 1024 * 1024) + (4096L * length);

    public override IReadOnlyList<byte[]> Dictionary => Words(
        "\n", "  ", "    ", ": ", "- ", "{", "}", "[", "]", "\"", "'", "#", "&a ", "*a", "!!str ", "---\n", "...\n", "|\n", ">\n",
        "vrrp:\n", "instances:\n", "name: VI_1\n", "interface: eth0\n", "virtual_router_id: 167\n", "priority: 100\n",
        "advert_interval: 1s\n", "auth:\n", "type: pass\n", "password: \"1111\"\n", "virtual_addresses:\n", "10.10.102.242/24",
        "nodes:\n", "node1:\n", "unicast_peers:\n", "track:\n", "checks:\n", "type: listener\n", "type: tcp\n", "type: http\n",
        "type: exec\n", "port: 10000\n", "interval: 2s\n", "rise: 2\n", "fall: 3\n", "weight: -20\n", "proxy:\n", "frontends:\n",
        "bind: 0.0.0.0:10000\n", "backends:\n", "servers:\n", "address: 10.0.0.2:10000\n", "balance: source\n", "metrics:\n",
        "listen: 127.0.0.1:9100\n", "control:\n", "socket: /run/cloudcore-lb/control.sock\n", "notify:\n", "version: 3\n",
        "true", "false", "null", "~", "-1", "0", "65536", "1.5s", "200ms", "::1", "http://x/", "expect_status: 200-399\n");

    public override FuzzOutcome Run(ReadOnlySpan<byte> input)
    {
        try
        {
            var config = ConfigLoader.Parse(Text(input), File, "node1");

            // Accepted means usable: the control server binds this path at start.
            try
            {
                _ = new UnixDomainSocketEndPoint(config.Control.Socket);
            }
            catch (ArgumentException ex)
            {
                throw new FuzzInvariantException($"an accepted control.socket the daemon cannot bind: {ex.Message}");
            }

            return FuzzOutcome.Accepted;
        }
        catch (ConfigException ex)
        {
            if (ex.Errors.Count == 0)
            {
                throw new FuzzInvariantException("a rejected config without any error");
            }

            foreach (var error in ex.Errors)
            {
                if (error.File != File || error.Line <= 0)
                {
                    throw new FuzzInvariantException($"a config error without file and line: '{error}'");
                }
            }

            return FuzzOutcome.Rejected;
        }
    }
}
