using CloudCoreLb.Fuzz.Engine;
using CloudCoreLb.Import;
using CloudCoreLb.Import.Conversion;
using CloudCoreLb.Import.Keepalived;

namespace CloudCoreLb.Fuzz.Targets;

/// <summary>keepalived.conf through the importer's lexer, parser and converter, then the emitted YAML through the loader.</summary>
internal sealed class KeepalivedTarget : FuzzTarget
{
    private const string File = "/etc/keepalived/keepalived.conf";

    public override string Name => "keepalived";

    public override int MaxInputLength => 8192;

    public override long AllocationBudget(int length) => (4 * 1024 * 1024) + (4096L * length);

    public override IReadOnlyList<byte[]> Dictionary => Words(
        "\n", "{", "}", " ", "\"", "!", "#", "vrrp_instance VI_1 {\n", "state MASTER\n", "state BACKUP\n", "interface eth0\n",
        "virtual_router_id 167\n", "priority 100\n", "advert_int 1\n", "authentication {\n", "auth_type PASS\n", "auth_pass 1111\n",
        "virtual_ipaddress {\n", "10.10.102.242/24", "dev eth0", "track_script {\n", "vrrp_script chk {\n", "script \"/bin/true\"\n",
        "interval 2\n", "weight -20\n", "fall 3\n", "rise 2\n", "unicast_peer {\n", "unicast_src_ip 10.0.0.1\n", "nopreempt\n",
        "preempt_delay 5\n", "global_defs {\n", "router_id n1\n", "notify_master \"/bin/x\"\n", "garp_master_delay 5\n",
        "vrrp_sync_group G {\n", "group {\n", "track_interface {\n", "virtual_server 10.0.0.1 80 {\n", "real_server 10.0.0.2 80 {\n",
        "TCP_CHECK {\n", "connect_timeout 3\n", "version 3\n", "-1", "256", "0", "::1", "1.5", "smtp_alert\n", "@n1 ", "$X=1\n", "~SEQ");

    public override FuzzOutcome Run(ReadOnlySpan<byte> input)
    {
        var text = ImportChecks.WithoutIncludes(Text(input));
        var diagnostics = new ImportDiagnostics();
        string yaml;
        try
        {
            var lexer = new KeepalivedLexer(diagnostics, path => throw new ImportException(path, 0, "not readable while fuzzing"));
            var config = new KeepalivedParser(diagnostics).Parse(File, lexer.ReadText(File, text));
            yaml = new ImportConverter(ImportChecks.Options, diagnostics).Convert([config], null);
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
