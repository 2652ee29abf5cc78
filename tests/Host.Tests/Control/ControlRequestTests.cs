using CloudCoreLb.Host.Control;
using CloudCoreLb.L4Proxy;

namespace CloudCoreLb.Host.Tests.Control;

public sealed class ControlRequestTests
{
    [Theory]
    [InlineData("status", "Status")]
    [InlineData("status-json", "StatusJson")]
    [InlineData(" reload ", "Reload")]
    [InlineData("upgrade", "Upgrade")]
    public void TheOriginalRequests_ParseAsBefore(string line, string verb)
    {
        Assert.True(ControlRequest.TryParse(line, out var request, out _));
        Assert.Equal(verb, request!.Verb.ToString());
    }

    [Theory]
    [InlineData("server drain hub/cc1", ServerAdminState.Drain)]
    [InlineData("server maint hub/cc1", ServerAdminState.Maint)]
    [InlineData("server ready hub/cc1", ServerAdminState.Ready)]
    public void AServerRequest_NamesItsStateAndItsServer(string line, ServerAdminState state)
    {
        Assert.True(ControlRequest.TryParse(line, out var request, out _));
        Assert.Equal(ControlVerb.Server, request!.Verb);
        Assert.Equal(state, request.AdminState);
        Assert.Equal("hub", request.Target!.Backend);
        Assert.Equal("cc1", request.Target.Server);
        Assert.Null(request.Target.Host);
    }

    [Fact]
    public void ServerShow_SetsNoState()
    {
        Assert.True(ControlRequest.TryParse("server show hub/cc1", out var request, out _));
        Assert.Null(request!.AdminState);
    }

    [Fact]
    public void AHostTarget_MatchesByAddressOrByServerName()
    {
        Assert.True(ControlRequest.TryParse("server drain --host 10.0.0.2", out var byAddress, out _));
        Assert.True(ControlRequest.TryParse("server drain --host cc2", out var byName, out _));

        Assert.True(byAddress!.Target!.Matches("stream", "whatever", System.Net.IPAddress.Parse("10.0.0.2")));
        Assert.False(byAddress.Target.Matches("stream", "cc2", System.Net.IPAddress.Parse("10.0.0.3")));
        Assert.True(byName!.Target!.Matches("hub", "cc2", System.Net.IPAddress.Parse("10.0.0.9")));
    }

    [Theory]
    [InlineData("server", "needs an operation and a target")]
    [InlineData("server drain", "needs an operation and a target")]
    [InlineData("server stop hub/cc1", "unknown server operation 'stop'")]
    [InlineData("server drain hub", "is not BACKEND/SERVER")]
    [InlineData("server drain /cc1", "is not BACKEND/SERVER")]
    [InlineData("server drain hub/", "is not BACKEND/SERVER")]
    [InlineData("server drain a/b/c", "is not BACKEND/SERVER")]
    [InlineData("server drain hub/cc1 extra", "is not BACKEND/SERVER")]
    [InlineData("server drain --host", "--host needs exactly one")]
    [InlineData("server drain --host a b", "--host needs exactly one")]
    [InlineData("vrrp", "vrrp needs handover, hold or release")]
    [InlineData("vrrp takeover", "vrrp needs handover, hold or release")]
    [InlineData("vrrp hold a b", "unexpected 'b'")]
    [InlineData("vrrp hold --timeout 2s", "unexpected '--timeout'")]
    [InlineData("vrrp handover --timeout soon", "is not a duration")]
    [InlineData("vrrp handover --timeout 0s", "is not a duration")]
    [InlineData("vrrp handover --timeout 1h", "is not a duration")]
    [InlineData("status now", "unknown request 'status now'")]
    [InlineData("", "empty request")]
    public void AMalformedRequest_IsRefusedWithWhatIsWrong(string line, string expected)
    {
        Assert.False(ControlRequest.TryParse(line, out var request, out var error));
        Assert.Null(request);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void ARequestTooLongOrWithControlCharacters_IsRefusedWithoutEchoingItAll()
    {
        Assert.False(ControlRequest.TryParse(new string('x', ControlRequest.MaxLength + 1), out _, out var tooLong));
        Assert.Contains("longer than", tooLong, StringComparison.Ordinal);

        Assert.False(ControlRequest.TryParse("bogus\u001b[2J" + new string('y', 200), out _, out var odd));
        Assert.DoesNotContain('\u001b', odd);
        Assert.True(odd.Length < 300);
    }

    [Fact]
    public void AVrrpRequest_TakesAnOptionalInstanceAndAHandoverTimeout()
    {
        Assert.True(ControlRequest.TryParse("vrrp handover CloudCore --timeout 5s", out var handover, out _));
        Assert.True(ControlRequest.TryParse("vrrp release", out var release, out _));

        Assert.Equal(VrrpOperation.Handover, handover!.Operation);
        Assert.Equal("CloudCore", handover.Instance);
        Assert.Equal(TimeSpan.FromSeconds(5), handover.Timeout);
        Assert.Equal(VrrpOperation.Release, release!.Operation);
        Assert.Null(release.Instance);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("server drain hub/cc1")]
    [InlineData("server show --host 10.0.0.1")]
    [InlineData("vrrp handover CloudCore --timeout 5s")]
    [InlineData("vrrp hold")]
    public void EveryRequest_PrintsAsTheLineItWasParsedFrom(string line)
    {
        Assert.True(ControlRequest.TryParse(line, out var request, out _));
        Assert.Equal(line, request!.ToString());
    }
}
