using CloudCoreLb.HealthCheck;
using CloudCoreLb.Import.Conversion;
using CloudCoreLb.Import.Haproxy;

namespace CloudCoreLb.Import.Tests.Haproxy;

public sealed class HaproxyParserTests
{
    private readonly ImportDiagnostics _diagnostics = new();

    private HaproxyConfig Parse(string text) =>
        new HaproxyParser(_diagnostics).Parse("h.cfg", new HaproxyLexer(_diagnostics).Read("h.cfg", text));

    private string Convert(string text, bool exactHash = false) =>
        new ImportConverter(new ImportOptions { ExactHash = exactHash, ReadScript = _ => null }, _diagnostics).Convert([], Parse(text));

    [Theory]
    [InlineData("2000", "2s")]
    [InlineData("1m", "1m")]
    [InlineData("10s", "10s")]
    [InlineData("500", "500ms")]
    [InlineData("90000", "90s")]
    [InlineData("1h", "1h")]
    public void TimesWithoutAUnitAreMilliseconds(string haproxy, string expected)
    {
        Assert.True(HaproxyTime.TryParse(haproxy, out var value));
        Assert.Equal(expected, DurationParser.Format(value));
    }

    [Theory]
    [InlineData("1.5s")]
    [InlineData("10x")]
    [InlineData("")]
    public void TimesWithDecimalsOrUnknownUnitsAreRejected(string haproxy) => Assert.False(HaproxyTime.TryParse(haproxy, out _));

    [Fact]
    public void AProxyInheritsTheLastDefaultsSectionBeforeIt()
    {
        var config = Parse("""
            defaults
              timeout connect 5s
              retries 2
            backend one
              server a 10.0.0.1:80
            defaults
              timeout connect 7000
            backend two
              server a 10.0.0.1:80
            """);
        Assert.Equal(TimeSpan.FromSeconds(5), config.Proxies[0].Timeouts["connect"]);
        Assert.Equal(2, config.Proxies[0].Retries);
        Assert.Equal(TimeSpan.FromSeconds(7), config.Proxies[1].Timeouts["connect"]);
        Assert.Null(config.Proxies[1].Retries);
    }

    [Fact]
    public void FromNamesTheDefaultsSectionToInherit()
    {
        var config = Parse("""
            defaults tcpdefs
              mode tcp
              option redispatch
            defaults other
              timeout connect 1s
            backend b from tcpdefs
              server a 10.0.0.1:80
            """);
        var backend = Assert.Single(config.Proxies);
        Assert.True(backend.Redispatch);
        Assert.False(backend.Timeouts.ContainsKey("connect"));
    }

    [Fact]
    public void NoOptionTurnsAnInheritedOptionOff()
    {
        var config = Parse("defaults\n option redispatch\nbackend b\n no option redispatch\n");
        Assert.False(Assert.Single(config.Proxies).Redispatch);
    }

    [Fact]
    public void QuotesAndEscapesFormOneWordAndHashStartsAComment()
    {
        var words = new HaproxyLexer(_diagnostics).Tokenize(@"server 'my srv' 10.0.0.1:80 a\ b ""x""y # comment", "h.cfg", 1);
        Assert.Equal(["server", "my srv", "10.0.0.1:80", "a b", "xy"], words);
    }

    [Fact]
    public void AListenSectionBecomesAFrontendAndABackendOfTheSameName()
    {
        var yaml = Convert("""
            defaults
              timeout client 30s
              timeout server 30s
              timeout connect 3s
            listen api
              bind 0.0.0.0:6443
              balance roundrobin
              server m1 10.0.0.1:6443 check inter 1s fall 2 rise 1 weight 10 backup port 6444
            """);
        Assert.Contains("""
                - name: api
                  bind: "*:6443"
                  backend: api
                  timeouts: { client: 30s }
            """, yaml);
        Assert.Contains("check: { interval: 1s, rise: 1, fall: 2 }", yaml);
        // The loader has no check port (checks connect to the server's own port), so 'port' is warned, not written.
        Assert.Contains("- { name: m1, address: 10.0.0.1:6443, weight: 10, backup: true }", yaml);
        Assert.Contains("h.cfg:8: warning: api/m1: 'port 6444' is not carried over", string.Join("\n", _diagnostics.Items));
    }

    [Fact]
    public void DefaultServerPresetsLaterServers()
    {
        var backend = Assert.Single(Parse("backend b\n default-server inter 3s fall 4 check\n server a 10.0.0.1:80\n server c 10.0.0.2:80 no-check\n").Proxies);
        Assert.Equal((TimeSpan.FromSeconds(3), 4, true), (backend.Servers[0].Inter!.Value, backend.Servers[0].Fall!.Value, backend.Servers[0].Check));
        Assert.False(backend.Servers[1].Check);
    }

    [Fact]
    public void MapBasedSourceBalancingBecomesSourceWithAWarningOrSourceMapWithExactHash()
    {
        const string Cfg = "backend b\n balance source\n server a 10.0.0.1:80\n";
        Assert.Contains("balance: source  #", Convert(Cfg));
        Assert.Contains("h.cfg:2: warning: b: 'balance source' without 'hash-type consistent'", string.Join("\n", _diagnostics.Items));
        Assert.Contains("balance: source-map", Convert(Cfg, exactHash: true));
        Assert.Contains("balance: source  # haproxy 'balance source' + 'hash-type consistent'", Convert(Cfg + " hash-type consistent\n"));
    }

    [Fact]
    public void AnUnfilledPlaceholderAddressIsAnError()
    {
        var ex = Assert.Throws<ImportException>(() => Parse("backend b\n server cc1 {master1.ip}:10000 check\n"));
        Assert.Contains("h.cfg:2: error: server cc1 has the placeholder address", ex.Message);
    }

    [Fact]
    public void UnsupportedKeywordsAreWarnedWithTheirLine()
    {
        Parse("frontend f\n bind *:443 ssl crt /x.pem\n mode http\n acl a path /x\n use_backend b if a\n default_backend b\nbackend b\n server s 10.0.0.1:80 send-proxy maxconn 10\n");
        var lines = _diagnostics.Warnings.Select(w => w.Line).ToList();
        Assert.Equal([2, 3, 4, 5, 8, 8], lines);
    }

    private const string TcpDefaults = """
        defaults
          mode tcp
          timeout client 1m
          timeout server 1m
          timeout connect 5s

        """;

    [Fact]
    public void ServersSharingAHostAreImportedUngroupedAsHaproxyTreatsThemWithAWarningThatSaysWhatToChange()
    {
        var yaml = Convert(TcpDefaults + "frontend f\n bind :8080\n default_backend b\nbackend b\n server s1 10.0.0.1:8000 check\n server s2 10.0.0.1:8001 check\n");

        Assert.Contains("proxy:\n  group_servers_by_host: false  # servers share a host in b (10.0.0.1)", yaml);
        var warning = Assert.Single(_diagnostics.Warnings, w => w.Message.Contains("share host"));
        Assert.Equal(11, warning.Line);
        Assert.Contains("give each server of a backend its own host", warning.Message);
    }

    [Fact]
    public void ServersOnDistinctHostsKeepTheGroupingDefault()
    {
        var yaml = Convert(TcpDefaults + "frontend f\n bind :8080\n default_backend b\nbackend b\n server s1 10.0.0.1:8000\n server s2 10.0.0.2:8000\nbackend c\n server s1 10.0.0.1:8001\n");
        Assert.DoesNotContain("group_servers_by_host", yaml);
    }

    [Theory]
    [InlineData("server s1 mptcp@[::]:4331", "only TCP over IPv4/IPv6 addresses")]
    [InlineData("server s1 0.0.0.0", "needs an explicit port")]
    [InlineData("server s1 cloudcore.example:10000", "is a host name")]
    public void ABackendWithoutAnImportableServerIsLeftOutWithItsFrontends(string server, string reason)
    {
        var yaml = Convert(TcpDefaults + $"frontend f\n bind :8080\n default_backend b\nbackend b\n {server}\nlisten ok\n bind :9000\n server s 10.0.0.1:9000\n");

        Assert.DoesNotContain("name: b\n", yaml);
        Assert.DoesNotContain("name: f\n", yaml);
        Assert.Contains("name: ok", yaml);
        var text = string.Join("\n", _diagnostics.Items);
        Assert.Contains(reason, text);
        Assert.Contains("backend b has no server that can be imported; it is left out, with the frontends that use it", text);
        Assert.Contains("frontend f: default_backend 'b' is not defined or not imported; the frontend is left out", text);
    }
}
