using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Host.Hosting;
using CloudCoreLb.Vrrp;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudCoreLb.Host.Tests.Hosting;

public sealed class NotifyRunnerTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("cloudcore-lb-notify-");

    private string Log => Path.Combine(_dir.FullName, "log");

    /// <summary>A hook that records its start, takes a while, then records its end.</summary>
    private string Hook(string name) => $"echo start {name} >> {Log}; sleep 0.1; echo end {name} >> {Log}";

    [Fact]
    public async Task HooksRunOneAtATimeInTransitionOrder()
    {
        var commands = new NotifyCommands(Hook("master"), Hook("backup"), Hook("fault"), Hook("stop"), null);
        await using (var runner = new NotifyRunner("CloudCore", commands, NullLogger.Instance))
        {
            runner.Enqueue(VrrpState.Backup, 99);
            runner.Enqueue(VrrpState.Master, 99);
            runner.Enqueue(VrrpState.Fault, 0);
            runner.Enqueue(VrrpState.Backup, 99);
            runner.Enqueue(VrrpState.Initialize, 99);
        }

        // Disposal waits for queued hooks; keepalived would have run these concurrently and in any order (#1884).
        Assert.Equal(
            ["start backup", "end backup", "start master", "end master", "start fault", "end fault",
             "start backup", "end backup", "start stop", "end stop"],
            File.ReadAllLines(Log));
    }

    [Fact]
    public async Task TheGenericHookGetsKeepalivedsFourArguments()
    {
        var commands = new NotifyCommands(null, null, null, null, $"echo >> {Log}");
        await using (var runner = new NotifyRunner("CloudCore", commands, NullLogger.Instance))
        {
            runner.Enqueue(VrrpState.Master, 100);
            runner.Enqueue(VrrpState.Initialize, 100);
        }

        Assert.Equal(["INSTANCE CloudCore MASTER 100", "INSTANCE CloudCore STOP 100"], File.ReadAllLines(Log));
    }

    [Fact]
    public async Task AFailingHookDoesNotStopTheOnesAfterIt()
    {
        var commands = new NotifyCommands($"echo master >> {Log}", "exit 3", null, null, null);
        await using (var runner = new NotifyRunner("CloudCore", commands, NullLogger.Instance))
        {
            runner.Enqueue(VrrpState.Backup, 99);
            runner.Enqueue(VrrpState.Master, 99);
        }

        Assert.Equal(["master"], File.ReadAllLines(Log));
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
