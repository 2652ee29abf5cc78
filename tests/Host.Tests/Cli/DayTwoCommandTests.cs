using CloudCoreLb.Host.Cli;

namespace CloudCoreLb.Host.Tests.Cli;

/// <summary><c>server</c> and <c>vrrp</c> on the command line.</summary>
public sealed class DayTwoCommandTests
{
    [Theory]
    [InlineData("server drain hub/cc1")]
    [InlineData("server drain --host 10.0.0.1 --wait --timeout 90s")]
    [InlineData("server maint hub/cc1 --socket /tmp/x.sock")]
    [InlineData("server ready --host cc1")]
    [InlineData("server show hub/cc1")]
    [InlineData("vrrp handover")]
    [InlineData("vrrp handover CloudCore --timeout 5s")]
    [InlineData("vrrp hold CloudCore")]
    [InlineData("vrrp release")]
    public void TheDayTwoCommands_Parse(string args)
    {
        Assert.Empty(CommandLine.Build().Parse(args).Errors);
    }

    [Theory]
    [InlineData("server maint hub/cc1 --wait")]
    [InlineData("server frobnicate hub/cc1")]
    [InlineData("vrrp hold --timeout 5s")]
    public void OptionsOrOperationsThatDoNotExist_AreParseErrors(string args)
    {
        Assert.NotEmpty(CommandLine.Build().Parse(args).Errors);
    }

    [Fact]
    public void AServerRequest_NeedsExactlyOneOfServerAndHost()
    {
        Assert.Null(ServerCommand.BuildRequest("drain", null, null, out var neither));
        Assert.Null(ServerCommand.BuildRequest("drain", "hub/cc1", "10.0.0.1", out var both));

        Assert.Contains("either BACKEND/SERVER or --host", neither, StringComparison.Ordinal);
        Assert.Contains("either BACKEND/SERVER or --host", both, StringComparison.Ordinal);
        Assert.Equal("server drain --host 10.0.0.1", ServerCommand.BuildRequest("drain", null, "10.0.0.1", out _));
        Assert.Null(ServerCommand.BuildRequest("drain", "hub", null, out var bad));
        Assert.Contains("is not BACKEND/SERVER", bad, StringComparison.Ordinal);
    }

    [Fact]
    public void DrainWait_AddsTheSessionsOfEveryServerLine()
    {
        const string answer = "ok: hub/cc1 10.0.0.1:10000 admin=drain health=up sessions=3\nok: stream/cc1 10.0.0.1:10004 admin=drain health=up sessions=2\n";

        Assert.Equal(5, ServerCommand.Sessions(answer));
        Assert.Equal(0, ServerCommand.Sessions("ok: hub/cc1 10.0.0.1:10000 admin=drain health=down sessions=0\n"));
        Assert.Null(ServerCommand.Sessions("error: no server matches hub/x\n"));
    }

    [Fact]
    public void AnyErrorLine_FailsTheCommand()
    {
        Assert.True(ControlCommands.IsError("ok: a handed over\nerror: b did not hand over: not master\n"));
        Assert.True(ControlCommands.IsError("error: no VRRP instance named 'x'\n"));
        Assert.False(ControlCommands.IsError("ok: a held at priority 1\nok: b held at priority 1\n"));
    }

    [Fact]
    public void AVrrpRequest_IsCheckedBeforeItIsSent()
    {
        Assert.Equal("vrrp handover CloudCore --timeout 5s", VrrpCommand.BuildRequest("handover", "CloudCore", "5s", out _));
        Assert.Null(VrrpCommand.BuildRequest("handover", null, "forever", out var error));
        Assert.Contains("is not a duration", error, StringComparison.Ordinal);
    }
}
