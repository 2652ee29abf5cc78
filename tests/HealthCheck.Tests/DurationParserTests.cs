namespace CloudCoreLb.HealthCheck.Tests;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("200ms", 200)]
    [InlineData("1s", 1000)]
    [InlineData("1.5s", 1500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("0s", 0)]
    public void DurationsWithUnitsParse(string text, int milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("2000")]
    [InlineData("s")]
    [InlineData("-1s")]
    [InlineData("1 day")]
    public void BareNumbersAndJunkAreRejected(string text) => Assert.False(DurationParser.TryParse(text, out _));

    [Theory]
    [InlineData(1500, "1500ms")]
    [InlineData(2000, "2s")]
    [InlineData(120_000, "2m")]
    public void DurationsPrintInTheirLargestWholeUnit(int milliseconds, string text) =>
        Assert.Equal(text, DurationParser.Format(TimeSpan.FromMilliseconds(milliseconds)));
}
