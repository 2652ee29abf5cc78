using System.Text.Json.Nodes;
using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Operations;

/// <summary>The status page in a real headless chromium against real daemons in the namespace lab (issue 16, item 3).</summary>
public sealed partial class StatusPageTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, int> Priorities = new() { ["node1"] = 100, ["node2"] = 99 };
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>A frontend named like markup: names come from the config file, and the page must show them as text.</summary>
    private const string MarkupName = "<img src=x onerror=\"document.title='injected'\">";

    /// <summary>Every table row the page drew: its kind (instance, frontend, server), key, and cells by field.</summary>
    private const string RowsScript = """
        return Array.from(document.querySelectorAll('tbody tr')).map(function (tr) {
          const kind = Object.keys(tr.dataset)[0];
          const cells = {};
          for (const td of tr.cells) cells[td.dataset.field] = td.textContent;
          return { kind: kind, key: tr.dataset[kind], cells: cells };
        });
        """;

    [RootFact]
    public void ThePageRendersTheDaemonFollowsItsChangesWithoutReloadAndCannotWriteAnything()
    {
        using var lab = NetnsLab.Create(2);
        var yaml = LabConfigs.Daemon(Priorities) + LabConfigs.SeedProxy(lab.Nodes, "{ interval: 200ms, rise: 1, fall: 1 }")
            .Replace("  backends:\n", $"    - {{ name: \"{MarkupName.Replace("\"", "\\\"", StringComparison.Ordinal)}\", bind: \"*:10020\", backend: http_10000_back }}\n  backends:\n", StringComparison.Ordinal);
        var config = lab.WriteFile("cloudcore-lb.yaml", yaml);
        var cloudcores = lab.Nodes.Select(n => LabConfigs.StartCloudCore(lab, n)).ToArray();
        Assert.All(cloudcores, c => Assert.True(c.WaitForOutput("listening", Timeout), c.Describe()));
        using var sampler = new VipSampler(lab.Nodes);
        var first = lab.StartDaemon(lab.Nodes[0], config);
        sampler.RequireSoleHolder(1, TimeSpan.Zero, Timeout, first);
        var second = lab.StartDaemon(lab.Nodes[1], config);
        var node2 = lab.Nodes[1];
        LabStatus.WaitForBackupOf(lab, node2, lab.Nodes[0]);
        LabStatus.WaitForServersUp(lab, node2);

        // The page on the backup, opened once for the whole test.
        using var browser = HeadlessBrowser.Start(lab, node2, Timeout);
        browser.Navigate("http://127.0.0.1:9842/status");
        // Survives as long as the document does: a reload would drop it.
        browser.Execute("window.__openedOnce = 'yes'; return true;");
        var rows = browser.WaitFor(RowsScript, r => Rows(r, "server").Count(s => s["state"] == "UP") == 8 && Rows(r, "instance").Any(),
            "the instance and eight servers up", Timeout)!.AsArray();
        output.WriteLine(rows.ToJsonString());
        var instance = Assert.Single(Rows(rows, "instance"));
        Assert.Equal("CloudCore", instance["name"]);
        Assert.Equal("Backup", instance["state"]);
        Assert.Equal("vrid 167 on eth0", instance["router"]);
        Assert.Equal("99 (configured 99)", instance["priority"]);
        Assert.StartsWith("Initialize \u2192 Backup at ", instance["transition"], StringComparison.Ordinal);
        Assert.Contains(": Startup", instance["transition"], StringComparison.Ordinal);
        Assert.Equal("10.10.102.242/24", instance["vips"]);
        Assert.Equal(5, Rows(rows, "frontend").Count());
        Assert.Contains(Rows(rows, "frontend"), f => f["name"] == "http_10000_front" && f["bind"] == "0.0.0.0:10010");
        Assert.Equal(["cc1", "cc2"], Rows(rows, "server").Select(s => s["name"].Split('/')[1]).Distinct().Order(StringComparer.Ordinal));

        // The markup-named frontend is shown as its text; nothing of it ran or became an element.
        Assert.Contains(Rows(rows, "frontend"), f => f["name"] == MarkupName);
        Assert.Equal("cloudcore-lb status", browser.Execute("return document.title;")!.GetValue<string>());
        Assert.Equal(0, browser.Execute("return document.images.length;")!.GetValue<int>());
        // Nothing on the page can submit or edit anything.
        Assert.Equal(0, browser.Execute("return document.forms.length + document.querySelectorAll('input, button, select, textarea, [contenteditable]').length;")!.GetValue<int>());

        // A CloudCore dies: its four servers go down on the open page.
        cloudcores[0].Signal(9);
        rows = browser.WaitFor(RowsScript, r => Rows(r, "server").Count(s => s["name"].EndsWith("/cc1", StringComparison.Ordinal) && s["state"] == "DOWN") == 4,
            "cc1 down on all four backends", Timeout)!.AsArray();
        Assert.All(Rows(rows, "server").Where(s => s["name"].EndsWith("/cc2", StringComparison.Ordinal)), s => Assert.Equal("UP", s["state"]));
        Assert.Equal("yes", browser.Execute("return window.__openedOnce || 'reloaded';")!.GetValue<string>());

        // The master stops: the backup's own page shows it became master, and why.
        first.Signal(15);
        rows = browser.WaitFor(RowsScript, r => Rows(r, "instance").Any(i => i["state"] == "Master"), "the instance in Master", Timeout)!.AsArray();
        instance = Assert.Single(Rows(rows, "instance"));
        output.WriteLine(instance["transition"]);
        Assert.StartsWith("Backup \u2192 Master at ", instance["transition"], StringComparison.Ordinal);
        Assert.Contains(": MasterReleased", instance["transition"], StringComparison.Ordinal);
        Assert.Equal("yes", browser.Execute("return window.__openedOnce || 'reloaded';")!.GetValue<string>());
        Assert.False(second.HasExited, second.Describe());

        using var http = NetnsHttp.Create(node2, Timeout);
        // Nothing is writable over HTTP either.
        foreach (var path in new[] { "/status", "/status.json", "/metrics" })
        {
            foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete })
            {
                using var request = new HttpRequestMessage(method, $"http://127.0.0.1:9842{path}") { Content = new StringContent("") };
                using var response = http.SendAsync(request).GetAwaiter().GetResult();
                Assert.Equal(System.Net.HttpStatusCode.MethodNotAllowed, response.StatusCode);
            }
        }

        using var page = http.GetAsync("http://127.0.0.1:9842/status").GetAwaiter().GetResult();
        Assert.Contains("script-src 'self'", Assert.Single(page.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);

        // /status.json is the document `status --json` prints, which is the control socket's answer verbatim. Adverts
        // go out every second and change two counters, so the socket read (in-process, microseconds from the HTTP
        // read) is retried until both fall within one advert interval; the CLI, a process start away, is compared
        // with those two counters masked.
        var attempts = 0;
        string overHttp;
        while (true)
        {
            attempts++;
            overHttp = http.GetStringAsync("http://127.0.0.1:9842/status.json").GetAwaiter().GetResult();
            var overSocket = CloudCoreLb.Host.Control.ControlClient.SendAsync(lab.ControlSocket(node2), "status-json", Timeout).GetAwaiter().GetResult();
            if (overHttp == overSocket)
            {
                break;
            }

            Assert.True(attempts < 20, $"/status.json and the control socket's status-json differ after {attempts} reads:\n{overHttp}\n---\n{overSocket}");
        }

        var cli = Shell.RunChecked(NetnsLab.DaemonPath, ["status", "--json", "--socket", lab.ControlSocket(node2)], check: true).Output;
        Assert.Equal(MaskAdverts(overHttp), MaskAdverts(cli));
    }

    private static string MaskAdverts(string json) => AdvertCounter().Replace(json, "$1 N");

    [System.Text.RegularExpressions.GeneratedRegex("(\"adverts_(?:sent|received)\":) [0-9]+")]
    private static partial System.Text.RegularExpressions.Regex AdvertCounter();

    private static IEnumerable<Dictionary<string, string>> Rows(JsonNode? rows, string kind) =>
        (rows?.AsArray() ?? []).Where(r => r!["kind"]!.GetValue<string>() == kind)
            .Select(r => r!["cells"]!.AsObject().ToDictionary(c => c.Key, c => c.Value!.GetValue<string>()));
}
