using System.Text;
using CloudCoreLb.Host.Control;

namespace CloudCoreLb.Host.Tests.Control;

public sealed class ControlRequestReaderTests
{
    [Theory]
    [InlineData("status\n", "status")]
    [InlineData("status-json\r\n", "status-json")]
    [InlineData("reload\rjunk", "reload")]
    [InlineData("  upgrade \t", "upgrade")]
    [InlineData("status\nreload\n", "status")]
    [InlineData("\n", "")]
    public void TheRequest_IsTheFirstLineTrimmed(string sent, string expected)
    {
        Assert.Equal(expected, ControlRequestReader.Parse(Encoding.UTF8.GetBytes(sent)));
    }

    [Fact]
    public void NothingSentBeforeClosing_IsNoRequest()
    {
        Assert.Null(ControlRequestReader.Parse([]));
    }

    [Fact]
    public async Task ReadingStopsAtTheLineBreak_WithoutWaitingForTheClientToClose()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("status\nmore the server never reads"));

        Assert.Equal("status", await ControlRequestReader.ReadAsync(stream, CancellationToken.None));
    }

    [Fact]
    public async Task AnOverLongLine_IsCutAtTheBound()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(new string('x', 3 * ControlRequestReader.MaxLength) + "\n"));

        var request = await ControlRequestReader.ReadAsync(stream, CancellationToken.None);

        Assert.Equal(ControlRequestReader.MaxLength, request!.Length);
    }
}
