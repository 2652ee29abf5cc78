using System.Text.Json;
using CloudCoreLb.Host.Status;

namespace CloudCoreLb.Host.Tests.Status;

public sealed class StatusJsonTests
{
    [Fact]
    public void TheDocumentIsSnakeCaseIndentedAndEndsWithOneNewline()
    {
        var json = StatusJson.Serialize(StatusSamples.WithEverything());
        Assert.EndsWith("}\n", json, StringComparison.Ordinal);
        Assert.False(json.EndsWith("\n\n", StringComparison.Ordinal));
        Assert.Contains("\n  \"config_file\": ", json, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json);
        var transition = document.RootElement.GetProperty("instances")[0].GetProperty("last_transition");
        Assert.Equal("Backup", transition.GetProperty("from").GetString());
        Assert.Equal("Master", transition.GetProperty("to").GetString());
        Assert.Equal("MasterDownTimerExpired", transition.GetProperty("reason").GetString());
        Assert.Equal("no advert for 3.6 s", transition.GetProperty("detail").GetString());
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 11, 0, 4, TimeSpan.Zero), transition.GetProperty("at").GetDateTimeOffset());
    }

    [Fact]
    public void AnInstanceThatHasNotStartedHasANullLastTransition()
    {
        var s = StatusSamples.WithEverything();
        var fresh = s with { Instances = [s.Instances[0] with { LastTransition = null }] };
        using var document = JsonDocument.Parse(StatusJson.Serialize(fresh));
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("instances")[0].GetProperty("last_transition").ValueKind);
    }

    [Fact]
    public void TheTextStatusShowsTheLastTransitionWithItsReason()
    {
        var text = StatusFormatter.Format(StatusSamples.WithEverything());
        Assert.Contains("last transition Backup -> Master at 2026-12-07 11:00:04Z: MasterDownTimerExpired (no advert for 3.6 s)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void TheTextStatusListsUdpFlowsPerServer_AndSaysHowManyWereNotListed()
    {
        var s = StatusSamples.WithEverything() with
        {
            UdpFlows = [new UdpFlowsView("quic_front", 5, [
                new UdpFlowView("10.0.1.5:40001", "quic_back/cc2", 0.4),
                new UdpFlowView("10.0.1.6:40002", "quic_back/cc1", 2.5),
                new UdpFlowView("10.0.1.5:40003", "quic_back/cc2", 12),
                new UdpFlowView("10.0.1.7:40004", null, 0)])],
        };

        var lines = StatusFormatter.Format(s).Split('\n').Select(l => l.TrimEnd()).ToList();

        var at = lines.IndexOf("UDP flows (per server, most recently active first):");
        Assert.True(at > 0);
        Assert.Equal("  quic_front           5 flows (1 more not listed)", lines[at + 1]);
        Assert.Equal("    (no server): 1", lines[at + 2]);
        Assert.StartsWith("      10.0.1.7:40004 ", lines[at + 3], StringComparison.Ordinal);
        Assert.Equal("    quic_back/cc1: 1", lines[at + 4]);
        Assert.EndsWith("idle 2.5s", lines[at + 5], StringComparison.Ordinal);
        Assert.Equal("    quic_back/cc2: 2", lines[at + 6]);
        Assert.StartsWith("      10.0.1.5:40001 ", lines[at + 7], StringComparison.Ordinal);
        Assert.EndsWith("idle 0.4s", lines[at + 7], StringComparison.Ordinal);
        Assert.StartsWith("      10.0.1.5:40003 ", lines[at + 8], StringComparison.Ordinal);
        Assert.EndsWith("idle 12.0s", lines[at + 8], StringComparison.Ordinal);
    }

    [Fact]
    public void UdpFlowsAppearInTheJsonDocument()
    {
        var s = StatusSamples.WithEverything() with { UdpFlows = [new UdpFlowsView("quic_front", 1, [new UdpFlowView("10.0.1.5:40001", "quic_back/cc2", 0.4)])] };
        using var document = JsonDocument.Parse(StatusJson.Serialize(s));
        var flows = document.RootElement.GetProperty("udp_flows")[0];
        Assert.Equal("quic_front", flows.GetProperty("frontend").GetString());
        Assert.Equal("quic_back/cc2", flows.GetProperty("flows")[0].GetProperty("server").GetString());
        Assert.Equal(0.4, flows.GetProperty("flows")[0].GetProperty("idle_seconds").GetDouble());
    }
}
