using System.Diagnostics;
using CloudCoreLb.Host.Hosting;

namespace CloudCoreLb.Host.Tests.Hosting;

/// <summary>The guardian's watcher script, run by the real /bin/sh with a recording stand-in for <c>ip</c>.</summary>
public sealed class VipGuardianTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("cloudcore-lb-guardian-");

    private string Log => Path.Combine(_dir.FullName, "log");

    [Fact]
    public void WhenTheDaemonDies_TheWatcherDeletesWhatIsStillHeld_ThenRunsReleaseVips()
    {
        var lines = RunWatcher(
            "hold 10.0.0.100/32 eth0",
            "hold 10.0.0.101/24 eth1",
            "hold 10.0.0.102/32 eth0",
            "release 10.0.0.100/32 eth0",
            "hold 10.0.0.102/32 eth0");

        // Deleted before release-vips starts, which is told about them (for the priority-0 adverts); the address
        // released before the crash is not touched.
        Assert.Equal(
            [
                "ip addr del 10.0.0.101/24 dev eth1",
                "ip addr del 10.0.0.102/32 dev eth0",
                "ip addr del 10.0.0.102/32 dev eth0",
                "release-vips --already-released 10.0.0.101/24@eth1 --already-released 10.0.0.102/32@eth0 --already-released 10.0.0.102/32@eth0",
            ],
            lines);
    }

    [Fact]
    public void AfterACleanStop_TheWatcherLeavesWithoutTouchingAnything()
    {
        Assert.Empty(RunWatcher("hold 10.0.0.100/32 eth0", "exit"));
    }

    [Fact]
    public void ADaemonThatHeldNothing_OnlyRunsReleaseVips()
    {
        Assert.Equal(["release-vips "], RunWatcher("hold 10.0.0.100/32 eth0", "release 10.0.0.100/32 eth0"));
    }

    /// <summary>Feeds <paramref name="input"/> to the watcher, closes its input as a dying daemon would, returns what ran.</summary>
    private string[] RunWatcher(params string[] input)
    {
        Recorder("ip");
        Recorder("release-vips");
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(VipGuardian.WatcherScript($"'{Path.Combine(_dir.FullName, "release-vips")}'"));
        psi.Environment["PATH"] = $"{_dir.FullName}:/usr/bin:/bin";
        using var watcher = Process.Start(psi)!;
        foreach (var line in input)
        {
            watcher.StandardInput.WriteLine(line);
        }

        watcher.StandardInput.Close();
        Assert.True(watcher.WaitForExit(10_000), "the watcher did not finish");
        return File.Exists(Log) ? File.ReadAllLines(Log) : [];
    }

    /// <summary>A stand-in command that appends its name and arguments to the log.</summary>
    private string Recorder(string name)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, $"#!/bin/sh\necho \"{name} $*\" >> '{Log}'\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
