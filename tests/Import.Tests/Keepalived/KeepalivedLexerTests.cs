using CloudCoreLb.Import.Keepalived;

namespace CloudCoreLb.Import.Tests.Keepalived;

public sealed class KeepalivedLexerTests
{
    private readonly ImportDiagnostics _diagnostics = new();

    private List<KeepalivedLine> Lex(string text) => KeepalivedLexer.ForFiles(_diagnostics).ReadText("k.conf", text);

    private static string Show(IEnumerable<KeepalivedLine> lines) => string.Join(" | ", lines.Select(l => string.Join(' ', l.Words)));

    [Fact]
    public void BangAndHashStartCommentsAnywhereOnALine()
    {
        var lines = Lex("! whole line\nrouter_id lb01 # trailing\npriority 100 ! also trailing\n");
        Assert.Equal("router_id lb01 | priority 100", Show(lines));
        Assert.Equal(2, lines[0].Line);
    }

    [Fact]
    public void CommentCharactersInsideDoubleQuotesAreKept()
    {
        var line = Assert.Single(Lex("script \"/bin/check --tag=#1 !x\" # comment"));
        Assert.Equal(["script", "/bin/check --tag=#1 !x"], line.Words);
    }

    [Fact]
    public void EscapedCommentCharactersOutsideQuotesAreLiteral()
    {
        Assert.Equal(["auth_pass", "a#b!c"], Assert.Single(Lex(@"auth_pass a\#b\!c")).Words);
    }

    [Fact]
    public void BracesAreSplitOntoTheirOwnLines()
    {
        Assert.Equal("a b | { | c d | } | e", Show(Lex("a b { c d } e")));
    }

    [Fact]
    public void BracesOnTheKeywordLineOrTheNextLineGiveTheSameLines()
    {
        Assert.Equal(Show(Lex("vrrp_instance X {\n priority 99\n}")), Show(Lex("vrrp_instance X\n{\n priority 99\n}")));
    }

    [Fact]
    public void BracesInsideDoubleQuotesDoNotOpenBlocks()
    {
        Assert.Equal(["notify_master", "/bin/echo {x}"], Assert.Single(Lex("notify_master \"/bin/echo {x}\"")).Words);
    }

    [Fact]
    public void IncludeGlobsAreRelativeToTheIncludingFile()
    {
        using var files = new ImportTestFiles();
        var main = files.Write("etc/keepalived.conf", "global_defs {\n router_id main\n}\ninclude conf.d/*.conf\n");
        files.Write("etc/conf.d/b.conf", "vrrp_script b {\n script /b\n}\n");
        files.Write("etc/conf.d/a.conf", "vrrp_script a {\n script /a\n}\n");
        files.Write("etc/conf.d/ignored.txt", "vrrp_script z {\n}\n");

        var lines = KeepalivedLexer.ForFiles(_diagnostics).Read(main);

        Assert.Equal("global_defs | { | router_id main | } | vrrp_script a | { | script /a | } | vrrp_script b | { | script /b | }", Show(lines));
        Assert.EndsWith("a.conf", lines[4].File);
        Assert.Empty(_diagnostics.Items);
    }

    [Fact]
    public void IncludeWithCshBracesAndNoMatchWarnsButContinues()
    {
        using var files = new ImportTestFiles();
        var main = files.Write("k.conf", "include {one,two}.conf\ninclude missing/*.conf\n");
        files.Write("two.conf", "router_id two\n");

        var lines = KeepalivedLexer.ForFiles(_diagnostics).Read(main);

        Assert.Equal("router_id two", Show(lines));
        var warning = Assert.Single(_diagnostics.Warnings);
        Assert.Equal(2, warning.Line);
        Assert.Contains("missing/*.conf", warning.Message);
    }

    [Fact]
    public void AnIncludeLoopIsAnError()
    {
        using var files = new ImportTestFiles();
        var main = files.Write("k.conf", "include k.conf\n");
        Assert.Throws<ImportException>(() => KeepalivedLexer.ForFiles(_diagnostics).Read(main));
    }

    [Fact]
    public void ConditionalsAndParametersAreReportedAsUnsupported()
    {
        var lines = Lex("$IF=eth0\n@lb01 priority 100\ninterface $IF\n");
        Assert.Equal("interface $IF", Show(lines));
        Assert.Equal([1, 2, 3], _diagnostics.Warnings.Select(w => w.Line));
    }
}
