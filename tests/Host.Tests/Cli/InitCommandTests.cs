using System.Net;
using CloudCoreLb.Host.Cli;
using CloudCoreLb.Host.Configuration;
using CloudCoreLb.L4Proxy.Options;

namespace CloudCoreLb.Host.Tests.Cli;

public sealed class InitCommandTests
{
    private const string Masters = "10.10.102.11,10.10.102.12,10.10.102.13";

    private static InitArguments Valid(string? names = "master1,master2,master3", string? password = null) =>
        InitArguments.Parse(Masters, names, "10.10.102.242/24", "eth0", null, password).Arguments
        ?? throw new InvalidOperationException("the seed's arguments were rejected");

    private static IReadOnlyList<string> Errors(string? masters, string? names = null, string? vip = "10.10.102.242/24", string? iface = "eth0", int? vrid = null, string? password = null) =>
        InitArguments.Parse(masters, names, vip, iface, vrid, password).Errors;

    [Fact]
    public void TheGeneratedFilePassesTheLoaderForEveryMasterWithItsOwnPriority()
    {
        var yaml = SeedConfigWriter.Write(Valid());
        foreach (var (node, priority) in new[] { ("master1", 100), ("master2", 99), ("master3", 98) })
        {
            var config = ConfigLoader.Parse(yaml, "init.yaml", node);
            var instance = Assert.Single(config.VrrpInstances);
            Assert.Equal(priority, instance.Options.Priority);
            Assert.Equal("CloudCore", instance.Options.Name);
            Assert.Equal("eth0", instance.Options.Interface);
            Assert.Equal(167, instance.Options.VirtualRouterId);
            Assert.Equal(TimeSpan.FromSeconds(1), instance.Options.AdvertInterval);
            Assert.Equal(IPAddress.Parse("224.0.0.19"), instance.Options.MulticastGroup);
            Assert.Equal("10.10.102.242/24", Assert.Single(instance.Options.VirtualAddresses).ToString());
        }
    }

    [Fact]
    public void TheVipFollowsTheProxysAbilityToServeWithAWeightBeyondThePrioritySpread()
    {
        var config = ConfigLoader.Parse(SeedConfigWriter.Write(Valid()), "init.yaml", "master1");
        var track = Assert.Single(Assert.Single(config.VrrpInstances).Tracks);
        Assert.Equal("proxy", track.Definition.Type);
        Assert.IsType<ProxyCheckOptions>(track.Definition.Options);
        Assert.Equal(-50, track.Weight);
        // Every master that can serve outranks one that cannot; one that cannot still has a priority above 0.
        Assert.True(SeedConfigWriter.TopPriority + SeedConfigWriter.NotServingWeight < SeedConfigWriter.TopPriority - InitArguments.MaxMasters + 1);
        Assert.True(SeedConfigWriter.TopPriority - InitArguments.MaxMasters + 1 + SeedConfigWriter.NotServingWeight > 0);
    }

    [Fact]
    public void FourTcpFrontendsForwardToCloudCoresPortsOnEveryMasterWithSourceHashingAndChecks()
    {
        var proxy = ConfigLoader.Parse(SeedConfigWriter.Write(Valid()), "init.yaml", "master2").Proxy!;
        Assert.Equal(["0.0.0.0:10010", "0.0.0.0:10012", "0.0.0.0:10013", "0.0.0.0:10014"], proxy.Frontends.Select(f => f.Bind!.ToString()));
        Assert.Equal(4, proxy.Backends.Count);
        foreach (var (backend, port) in proxy.Backends.Zip(new[] { 10000, 10002, 10003, 10004 }))
        {
            Assert.Equal(BalanceAlgorithm.Source, backend.Balance);
            Assert.True(backend.Redispatch);
            Assert.Equal(3, backend.Retries);
            Assert.Equal(TimeSpan.FromSeconds(2), backend.Health.Inter);
            Assert.Equal(2, backend.Health.Rise);
            Assert.Equal(5, backend.Health.Fall);
            Assert.Equal(Masters.Split(',').Select(m => $"{m}:{port}"), backend.Servers.Select(s => s.EndPoint!.ToString()));
            Assert.All(backend.Servers, s => Assert.True(s.Check));
        }

        Assert.Equal(proxy.Backends.Select(b => b.Name), proxy.Frontends.Select(f => f.Backend));
    }

    [Fact]
    public void WithoutNamesNodesAreKeyedByMasterAddress()
    {
        var yaml = SeedConfigWriter.Write(Valid(names: null));
        Assert.Contains("--node ITS_ADDRESS", yaml, StringComparison.Ordinal);
        Assert.Equal(99, Assert.Single(ConfigLoader.Parse(yaml, "init.yaml", "10.10.102.12").VrrpInstances).Options.Priority);
    }

    [Fact]
    public void AGeneratedPasswordFillsTheEightByteFieldAndAGivenOneIsKept()
    {
        var generated = Valid().Password;
        Assert.Equal(8, generated.Length);
        Assert.All(generated, c => Assert.True(char.IsAsciiLetterOrDigit(c)));
        Assert.NotEqual(generated, Valid().Password);
        var config = ConfigLoader.Parse(SeedConfigWriter.Write(Valid(password: "s3cr\"t")), "init.yaml", "master1");
        Assert.Equal("s3cr\"t", Assert.Single(config.VrrpInstances).Options.AuthPassword);
    }

    [Theory]
    [InlineData(null, "--masters: give every master's address")]
    [InlineData("10.10.102.11,10.10.102.300", "--masters: '10.10.102.300' is not an IPv4 address")]
    [InlineData("10.10.102.11,10.10.102.11", "--masters: 10.10.102.11 is listed twice")]
    [InlineData("fe80::1", "--masters: 'fe80::1' is not an IPv4 address")]
    public void BadMastersAreRejectedWithTheReason(string? masters, string expected) =>
        Assert.Contains(Errors(masters), e => e.StartsWith(expected, StringComparison.Ordinal));

    [Theory]
    [InlineData("10.10.102.242", "--vip: '10.10.102.242' is not ADDRESS/LENGTH")]
    [InlineData("10.10.102.242/33", "--vip: '10.10.102.242/33' is not ADDRESS/LENGTH")]
    [InlineData("10.10.102.11/24", "--vip: 10.10.102.11 is a master's own address")]
    [InlineData(null, "--vip: give the virtual address")]
    public void ABadVipIsRejectedWithTheReason(string? vip, string expected) =>
        Assert.Contains(Errors(Masters, vip: vip), e => e.StartsWith(expected, StringComparison.Ordinal));

    [Fact]
    public void EveryOtherBadArgumentIsReportedAtOnce()
    {
        var errors = Errors(Masters, names: "a,a", iface: "", vrid: 256, password: "123456789");
        Assert.Contains(errors, e => e.StartsWith("--names: 2 name(s) for 3 master(s)", StringComparison.Ordinal));
        Assert.Contains("--names: every master needs its own name", errors);
        Assert.Contains(errors, e => e.StartsWith("--interface:", StringComparison.Ordinal));
        Assert.Contains("--vrid: 256 is outside 1..255", errors);
        Assert.Contains(errors, e => e.StartsWith("--password: 1 to 8 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public void ExecuteWritesTheFileChecksEveryNodeAndKeepsAnExistingFile()
    {
        var dir = Directory.CreateTempSubdirectory("cloudcore-lb-init-").FullName;
        try
        {
            var path = Path.Combine(dir, "cloudcore-lb.yaml");
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            Assert.Equal(0, InitCommand.Execute(Masters, "m1,m2,m3", "10.10.102.242/24", "eth0", null, null, path, force: false, stdout, stderr));
            Assert.Equal("", stdout.ToString());
            Assert.Contains("check: valid for node 'm3' (priority 98)", stderr.ToString(), StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(path));
            var written = File.ReadAllText(path);
            Assert.Equal(0, CheckCommand.Execute(path, "m2", new StringWriter(), new StringWriter()));

            var again = new StringWriter();
            Assert.Equal(1, InitCommand.Execute(Masters, null, "10.10.102.242/24", "eth0", null, null, path, force: false, new StringWriter(), again));
            Assert.Contains("exists; give --force", again.ToString(), StringComparison.Ordinal);
            Assert.Equal(written, File.ReadAllText(path));
            Assert.Equal(0, InitCommand.Execute(Masters, null, "10.10.102.242/24", "eth0", null, null, path, force: true, new StringWriter(), new StringWriter()));
            Assert.NotEqual(written, File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void WithoutOutputTheFileGoesToStandardOutputAndBadArgumentsWriteNothing()
    {
        var stdout = new StringWriter();
        Assert.Equal(0, InitCommand.Execute(Masters, null, "10.10.102.242/24", "eth0", 42, "pw", null, force: false, stdout, new StringWriter()));
        Assert.Contains("virtual_router_id: 42", stdout.ToString(), StringComparison.Ordinal);
        var (none, errors) = (new StringWriter(), new StringWriter());
        Assert.Equal(1, InitCommand.Execute("x", null, null, null, null, null, null, force: false, none, errors));
        Assert.Equal("", none.ToString());
        Assert.Equal(3, errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
