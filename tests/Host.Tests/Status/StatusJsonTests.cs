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
}
