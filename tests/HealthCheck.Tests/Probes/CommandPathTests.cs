using CloudCoreLb.HealthCheck.Probes;

namespace CloudCoreLb.HealthCheck.Tests.Probes;

public sealed class CommandPathTests : IDisposable
{
    private const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly DirectoryInfo _first = Directory.CreateTempSubdirectory("cloudcore-lb-path-a-");
    private readonly DirectoryInfo _second = Directory.CreateTempSubdirectory("cloudcore-lb-path-b-");

    public void Dispose()
    {
        _first.Delete(recursive: true);
        _second.Delete(recursive: true);
    }

    private string Create(DirectoryInfo dir, string name, UnixFileMode mode)
    {
        var path = Path.Combine(dir.FullName, name);
        File.WriteAllText(path, "#!/bin/sh\n");
        File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public void TheFirstExecutableFileOnThePathWinsAndANonExecutableOneIsPassedOver()
    {
        Create(_first, "chk", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var expected = Create(_second, "chk", Executable);

        Assert.Equal(expected, CommandPath.Find("chk", $"{_first.FullName}:{_second.FullName}"));
    }

    [Fact]
    public void ADirectoryOfTheNameIsNoCommand()
    {
        Directory.CreateDirectory(Path.Combine(_first.FullName, "chk"));
        var expected = Create(_second, "chk", Executable);

        Assert.Equal(expected, CommandPath.Find("chk", $"{_first.FullName}:{_second.FullName}"));
    }

    [Fact]
    public void RelativeAndEmptyPathEntriesAreNotSearchedBecauseTheyDependOnWhereTheImportRuns()
    {
        Create(_first, "chk", Executable);
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), _first.FullName);

        Assert.Null(CommandPath.Find("chk", $":{relative}"));
    }

    [Theory]
    [InlineData("./chk")]
    [InlineData("bin/chk")]
    [InlineData("")]
    public void ANameWithASlashOrNoNameIsNotSearched(string name)
    {
        Create(_first, "chk", Executable);
        Assert.Null(CommandPath.Find(name, _first.FullName));
    }
}
