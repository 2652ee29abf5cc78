using System.Text.Json;
using CloudCoreLb.Host.Control;

namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>
/// Reads a lab daemon's <c>status --json</c> straight from its control socket (the file system is shared by every
/// namespace), so a test can wait for a state the daemon reports instead of sleeping for long enough: polling costs a
/// socket round trip, not a CLI process start on an already loaded machine.
/// </summary>
internal static class LabStatus
{
    private static readonly TimeSpan s_defaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The daemon's status document now; throws when the control socket does not answer.</summary>
    public static JsonElement Get(NetnsLab lab, LabNode node)
    {
        var json = ControlClient.SendAsync(lab.ControlSocket(node), "status-json", TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>The status entry of one VRRP instance.</summary>
    public static JsonElement Instance(JsonElement status, string name = "CloudCore") =>
        status.GetProperty("instances").EnumerateArray().Single(i => i.GetProperty("name").GetString() == name);

    /// <summary>
    /// Polls the status until <paramref name="condition"/> holds (a daemon not yet listening counts as not yet) and
    /// returns that status; fails with the last status seen, so the message shows how far the daemon got.
    /// </summary>
    public static JsonElement WaitFor(NetnsLab lab, LabNode node, Func<JsonElement, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? s_defaultTimeout);
        var last = "(the control socket never answered)";
        while (true)
        {
            try
            {
                var status = Get(lab, node);
                if (condition(status))
                {
                    return status;
                }

                last = status.ToString();
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or OperationCanceledException or JsonException)
            {
                // Not started yet, or stopping: keep asking until the deadline.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"{node.Name}: {what} did not happen within {(timeout ?? s_defaultTimeout).TotalSeconds} s; last status:\n{last}");
            }

            Thread.Sleep(100);
        }
    }

    /// <summary>
    /// Waits until <paramref name="node"/>'s instance is Backup following <paramref name="master"/> and has accepted at
    /// least <paramref name="adverts"/> adverts: the backup has really heard the master, not merely started.
    /// <paramref name="masterAddress"/> is the master's address on the instance's segment (defaults to its eth0 one).
    /// </summary>
    public static JsonElement WaitForBackupOf(NetnsLab lab, LabNode node, LabNode master, int adverts = 1, string instance = "CloudCore", string? masterAddress = null) =>
        Instance(WaitFor(lab, node, s =>
        {
            var i = Instance(s, instance);
            return i.GetProperty("state").GetString() == "Backup"
                && i.GetProperty("last_master").GetString() == (masterAddress ?? master.Address)
                && i.GetProperty("adverts_received").GetInt64() >= adverts;
        }, $"{instance} in Backup behind {master.Name} with {adverts} adverts received"), instance);

    /// <summary>
    /// Waits until every server is usable: passed its first checks and not drained, so new sessions spread over every
    /// CloudCore (a session test that starts earlier puts them all on the first server up).
    /// </summary>
    public static void WaitForServersUsable(NetnsLab lab, LabNode node) =>
        WaitFor(lab, node, s =>
        {
            var servers = s.GetProperty("servers").EnumerateArray().ToArray();
            return servers.Length > 0 && servers.All(v => v.GetProperty("usable").GetBoolean());
        }, "every proxied server usable", TimeSpan.FromSeconds(60));

    /// <summary>Waits until every server of the daemon's proxy has passed its checks (servers start down).</summary>
    public static void WaitForServersUp(NetnsLab lab, LabNode node) =>
        WaitFor(lab, node, s =>
        {
            var servers = s.GetProperty("servers").EnumerateArray().ToArray();
            return servers.Length > 0 && servers.All(v => v.GetProperty("up").GetBoolean());
        }, "every proxied server up");
}
