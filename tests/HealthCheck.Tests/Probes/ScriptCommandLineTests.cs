using CloudCoreLb.HealthCheck.Probes;

namespace CloudCoreLb.HealthCheck.Tests.Probes;

public sealed class ScriptCommandLineTests
{
    [Theory]
    [InlineData("/etc/keepalived/health_check.sh", new[] { "/etc/keepalived/health_check.sh" })]
    [InlineData("  /bin/check   a\tb  ", new[] { "/bin/check", "a", "b" })]
    [InlineData("/bin/check \"a b\" 'c d'", new[] { "/bin/check", "a b", "c d" })]
    [InlineData("/bin/check a\"b c\"'d'", new[] { "/bin/check", "ab cd" })]
    [InlineData("/bin/check 'a\\nb' \"a\\tb\" a\\ b", new[] { "/bin/check", "a\\nb", "a\tb", "a b" })]
    [InlineData("/bin/check \"say \\\"hi\\\"\" \\x41\\101", new[] { "/bin/check", "say \"hi\"", "AA" })]
    [InlineData("/bin/check \"c'd\"", new[] { "/bin/check", "c'd" })]
    public void Split_HonoursQuotesAndEscapes(string line, string[] expected) =>
        Assert.Equal(expected, ScriptCommandLine.Split(line));

    [Theory]
    [InlineData("/bin/check 'open", "unterminated single quote")]
    [InlineData("/bin/check \"open", "unterminated double quote")]
    [InlineData("   ", "empty")]
    public void Split_RejectsBrokenLines(string line, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => ScriptCommandLine.Split(line)).Message);

    [Theory]
    [InlineData("script \"/bin/echo \\\"a b\\\"\"", new[] { "script", "/bin/echo \\\"a b\\\"" })]
    [InlineData("script \"/opt/chk\\ dir/x.sh\" user", new[] { "script", "/opt/chk\\ dir/x.sh", "user" })]
    [InlineData("script /bin/a\\ b 'c\\d'", new[] { "script", "/bin/a\\ b", "c\\d" })]
    [InlineData("notify_master \"/bin/n 'x y'\" root", new[] { "notify_master", "/bin/n 'x y'", "root" })]
    public void SplitKeepingEscapes_GroupsLikeSplitButLeavesEscapesForTheSecondPass(string line, string[] expected) =>
        Assert.Equal(expected, ScriptCommandLine.SplitKeepingEscapes(line));

    [Fact]
    public void TheTwoPassesOfAKeepalivedScriptLineGiveTheArgvOfOneSplitOfTheCommand()
    {
        var command = ScriptCommandLine.SplitKeepingEscapes("script \"/bin/echo \\\"a b\\\" \\x41\"")[1];
        Assert.Equal(["/bin/echo", "\"a", "b\"", "A"], ScriptCommandLine.Split(command));
    }

    [Theory]
    [InlineData(new[] { "/usr/bin/killall", "-0", "sshd" }, "/usr/bin/killall -0 sshd")]
    [InlineData(new[] { "/bin/sh", "-c", "</dev/tcp/127.0.0.1/80" }, "/bin/sh -c '</dev/tcp/127.0.0.1/80'")]
    [InlineData(new[] { "/opt/my dir/x", "" }, "'/opt/my dir/x' ''")]
    [InlineData(new[] { "/bin/x", "it's", "a\\b\"c" }, "/bin/x \"it's\" 'a\\b\"c'")]
    public void JoinQuotesOnlyWhatSplitWouldOtherwiseCut(string[] argv, string expected)
    {
        var line = ScriptCommandLine.Join(argv);
        Assert.Equal(expected, line);
        Assert.Equal(argv, ScriptCommandLine.Split(line));
    }

    [Fact]
    public void JoinRoundTripsAWordWithASingleQuoteAndABackslash()
    {
        string[] argv = ["/bin/x", "it's a \\ \"test\""];
        Assert.Equal(argv, ScriptCommandLine.Split(ScriptCommandLine.Join(argv)));
    }
}
