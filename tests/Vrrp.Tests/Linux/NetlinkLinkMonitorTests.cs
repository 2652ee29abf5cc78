using System.Collections.Concurrent;
using System.Net;
using CloudCoreLb.Vrrp.Linux;

namespace CloudCoreLb.Vrrp.Tests.Linux;

public sealed class NetlinkLinkMonitorTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    private readonly NetworkNamespace _ns;
    private readonly ListLogger _logger = new();
    private readonly BlockingCollection<string> _events = [];

    public NetlinkLinkMonitorTests()
    {
        _ns = NetworkNamespace.Create();
        try
        {
            _ns.Ip("link", "add", "lm0", "type", "veth", "peer", "name", "lm1");
            _ns.Ip("link", "set", "dev", "lm1", "up");
            _ns.Ip("link", "set", "dev", "lm0", "up");
            _ns.WaitForOperationalUp("lm0");
        }
        catch
        {
            _ns.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _ns.Dispose();
        _events.Dispose();
    }

    [RootFact]
    public void AdminDownAndUp_RaiseLinkChanged_AndIsUpFollows()
    {
        using var monitor = Start();
        Assert.True(monitor.IsUp("lm0"));

        _ns.Ip("link", "set", "dev", "lm0", "down");
        Assert.Equal("link lm0 False", Next(e => e.StartsWith("link lm0", StringComparison.Ordinal)));
        Assert.False(monitor.IsUp("lm0"));

        _ns.Ip("link", "set", "dev", "lm0", "up");
        Assert.Equal("link lm0 True", Next(e => e.StartsWith("link lm0", StringComparison.Ordinal)));
        Assert.True(monitor.IsUp("lm0"));
    }

    [RootFact]
    public void PeerDown_LeavesIffUpButClearsRunning_AndCountsAsDown()
    {
        using var monitor = Start();

        _ns.Ip("link", "set", "dev", "lm1", "down");

        Assert.Equal("link lm0 False", Next(e => e.StartsWith("link lm0", StringComparison.Ordinal)));
        Assert.False(monitor.IsUp("lm0"));
    }

    [RootFact]
    public void ExternalAddressDelete_RaisesAddressRemoved()
    {
        _ns.Ip("addr", "add", "10.204.0.100/32", "dev", "lm0");
        using var monitor = Start();

        _ns.Ip("addr", "del", "10.204.0.100/32", "dev", "lm0");

        Assert.Equal("deladdr lm0 10.204.0.100", Next(e => e.StartsWith("deladdr", StringComparison.Ordinal)));
    }

    [RootFact]
    public void IsUp_ForAnUnknownInterface_IsFalse()
    {
        using var monitor = Start();

        Assert.False(monitor.IsUp("ccl-none0"));
    }

    [RootFact]
    public void EventOverflow_ResynchronisesAndKeepsReportingLaterChanges()
    {
        var stall = IPAddress.Parse("10.207.9.1");
        _ns.Ip("addr", "add", "10.207.9.1/32", "dev", "lm0");
        using var monitor = Start(receiveBufferSize: 4096);
        using var stalled = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using var resynchronised = new ManualResetEventSlim();
        monitor.Resynchronised += resynchronised.Set;
        monitor.AddressRemoved += (_, address) =>
        {
            if (address.Equals(stall))
            {
                stalled.Set();
                release.Wait(s_timeout);
            }
        };

        // Hold the receive loop inside a handler, then queue far more events than a 4 KiB buffer holds.
        _ns.Ip("addr", "del", "10.207.9.1/32", "dev", "lm0");
        Assert.True(stalled.Wait(s_timeout));
        var batch = Path.Combine(Path.GetTempPath(), $"{_ns.Name}.batch");
        File.WriteAllLines(batch, Enumerable.Range(1, 200).Select(i => $"addr add 10.207.0.{i}/32 dev lm0"));
        try
        {
            _ns.Ip("-batch", batch);
        }
        finally
        {
            File.Delete(batch);
            release.Set();
        }

        Assert.True(resynchronised.Wait(s_timeout), "no ENOBUFS resynchronisation observed");
        Assert.Contains(_logger.Entries, e => e.EventId.Id == 1243);

        _ns.Ip("link", "set", "dev", "lm0", "down");
        Assert.Equal("link lm0 False", Next(e => e.StartsWith("link lm0", StringComparison.Ordinal)));
    }

    private NetlinkLinkMonitor Start(int receiveBufferSize = 1024 * 1024)
    {
        var monitor = _ns.Run(() => new NetlinkLinkMonitor(_logger, null, receiveBufferSize));
        monitor.LinkChanged += (name, up) => _events.Add($"link {name} {up}");
        monitor.AddressRemoved += (name, address) => _events.Add($"deladdr {name} {address}");
        return monitor;
    }

    private string Next(Func<string, bool> match)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        foreach (var e in _events.GetConsumingEnumerable(timeout.Token))
        {
            if (match(e))
            {
                return e;
            }
        }

        throw new TimeoutException();
    }
}
