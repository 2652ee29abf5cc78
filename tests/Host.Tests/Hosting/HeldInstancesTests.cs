using CloudCoreLb.Host.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudCoreLb.Host.Tests.Hosting;

public sealed class HeldInstancesTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("cloudcore-lb-held-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void AHoldRecordedByOneProcess_IsReadByTheNext_UntilItIsReleased()
    {
        var first = new HeldInstances(_dir.FullName, NullLogger<HeldInstances>.Instance);
        first.Record("VI_2", held: true);
        first.Record("VI_1", held: true);

        var second = new HeldInstances(_dir.FullName, NullLogger<HeldInstances>.Instance);
        Assert.True(second.Contains("VI_1") && second.Contains("VI_2"));
        Assert.Equal(["VI_1", "VI_2"], File.ReadAllLines(second.Path!));
        second.Record("VI_1", held: false);

        var third = new HeldInstances(_dir.FullName, NullLogger<HeldInstances>.Instance);
        Assert.False(third.Contains("VI_1"));
        Assert.True(third.Contains("VI_2"));
        Assert.False(File.Exists(third.Path + ".new"));
    }

    [Fact]
    public void WithoutAStateDirectory_AHoldLastsOnlyInMemory()
    {
        var held = new HeldInstances(null, NullLogger<HeldInstances>.Instance);
        held.Record("VI_1", held: true);

        Assert.Null(held.Path);
        Assert.True(held.Contains("VI_1"));
    }

    [Fact]
    public void AnUnwritableDirectory_KeepsTheHoldInMemoryAndThrowsNothing()
    {
        var held = new HeldInstances(Path.Combine(_dir.FullName, "missing"), NullLogger<HeldInstances>.Instance);
        held.Record("VI_1", held: true);

        Assert.True(held.Contains("VI_1"));
        Assert.False(File.Exists(held.Path));
    }
}
