using CloudCoreLb.Fuzz.Engine;
using CloudCoreLb.Import;
using CloudCoreLb.Import.Conversion;
using CloudCoreLb.Import.Haproxy;

namespace CloudCoreLb.Fuzz.Targets;

/// <summary>haproxy.cfg through the importer's lexer, parser and converter, then the emitted YAML through the loader.</summary>
internal sealed class HaproxyTarget : FuzzTarget
{
    private const string File = "/etc/haproxy/haproxy.cfg";

    public override string Name => "haproxy";

    public override int MaxInputLength => 8192;

    public override long AllocationBudget(int length) => (4 * 1024 * 1024) + (4096L * length);

    public override IReadOnlyList<byte[]> Dictionary => Words(
        "\n", " ", "\"", "'", "\\", "#", "global\n", "defaults\n", "frontend fe\n", "backend be\n", "listen ls\n", "mode tcp\n",
        "mode http\n", "bind *:10000\n", "bind 10.0.0.1:443\n", "bind :::80\n", "default_backend be\n", "use_backend be\n",
        "balance roundrobin\n", "balance source\n", "balance leastconn\n", "server s1 10.0.0.2:10000 check\n", " check", " inter 2s",
        " fall 3", " rise 2", " weight 10", " backup", " disabled", " port 81", "timeout connect 5s\n", "timeout client 1m\n",
        "timeout server 30000\n", "option tcp-check\n", "option httpchk GET /\n", "maxconn 1000\n", "defaults d from d2\n",
        "hash-type consistent\n", "100ms", "1h", "2d", "-1", "99999999999", "${HOME}", "[::1]:80", "10.0.0.1-3:80", "unix@/x");

    public override FuzzOutcome Run(ReadOnlySpan<byte> input)
    {
        var text = Text(input);
        var diagnostics = new ImportDiagnostics();
        string yaml;
        try
        {
            var config = new HaproxyParser(diagnostics).Parse(File, new HaproxyLexer(diagnostics).Read(File, text));
            yaml = new ImportConverter(ImportChecks.Options, diagnostics).Convert([], config);
        }
        catch (ImportException ex)
        {
            ImportChecks.Rejection(ex, File);
            return FuzzOutcome.Rejected;
        }

        ImportChecks.Output(yaml);
        return FuzzOutcome.Accepted;
    }
}
