using CloudCoreLb.Fuzz.Targets;
using CloudCoreLb.Host.Control;

namespace CloudCoreLb.Fuzz.Tests.Regressions;

/// <summary>
/// The control socket read its request with ReadLineAsync: a client streaming without a line break grew the line
/// buffer for as long as the 30 s read timeout allowed (found writing the control target's allocation bound).
/// </summary>
public sealed class ControlRequestRegressions
{
    [Fact]
    public async Task AMegabyteWithoutALineBreak_IsCutAtTheBound_NotBufferedWhole()
    {
        var flood = new byte[1 << 20];
        Array.Fill(flood, (byte)'s');
        using var stream = new ChunkedStream(flood, 4096);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var request = await ControlRequestReader.ReadAsync(stream, CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ControlRequestReader.MaxLength, request!.Length);
        Assert.Equal(ControlRequestReader.MaxLength, stream.Position);
        Assert.InRange(allocated, 0, 16 * ControlRequestReader.MaxLength);
    }
}
