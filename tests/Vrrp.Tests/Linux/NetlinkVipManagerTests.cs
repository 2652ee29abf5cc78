using System.Net;
using CloudCoreLb.Vrrp.Linux;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Vrrp.Tests.Linux;

/// <summary>Runs the VIP manager against the kernel inside a namespace the test creates and deletes.</summary>
public sealed class NetlinkVipManagerTests : IDisposable
{
    private static readonly VirtualAddress s_vip = new(IPAddress.Parse("10.201.0.100"), 32);

    private readonly NetworkNamespace _ns;
    private readonly ListLogger _logger = new();

    public NetlinkVipManagerTests()
    {
        _ns = NetworkNamespace.Create();
        try
        {
            _ns.Ip("link", "add", "vip0", "type", "veth", "peer", "name", "vip1");
            _ns.Ip("addr", "add", "10.201.0.1/24", "dev", "vip0");
            _ns.Ip("link", "set", "dev", "vip0", "up");
        }
        catch
        {
            _ns.Dispose();
            throw;
        }
    }

    public void Dispose() => _ns.Dispose();

    [RootFact]
    public void Add_MakesTheVipVisibleWithLabelAndOurProtocolMark_AndIsIdempotent()
    {
        _ns.Run(() =>
        {
            using var manager = new NetlinkVipManager(InterfaceInfo.Get("vip0", [s_vip.Address]), "vip0:vip", _logger);

            Assert.False(manager.IsPresent(s_vip));
            manager.Add(s_vip);
            Assert.True(manager.IsPresent(s_vip));
            manager.Add(s_vip); // EEXIST counts as success

            var marked = NetlinkVipManager.ListMarkedAddresses("vip0");
            var only = Assert.Single(marked);
            Assert.Equal(s_vip, only.Address);
            Assert.Equal("vip0:vip", only.Label);
        });

        var shown = _ns.Ip("-4", "-o", "addr", "show", "dev", "vip0");
        Assert.Contains("inet 10.201.0.100/32 scope global vip0:vip", shown);
        Assert.Contains(_logger.Entries, e => e.EventId.Id == 1220);
        Assert.Contains(_logger.Entries, e => e.EventId.Id == 1221);
    }

    [RootFact]
    public void ALeasedVip_CarriesItsLifetime_IsRenewed_AndTheKernelDeletesItWhenNobodyRenewsIt()
    {
        _ns.Run(() =>
        {
            using var manager = new NetlinkVipManager(InterfaceInfo.Get("vip0", [s_vip.Address]), null, _logger, TimeSpan.FromSeconds(2));
            manager.Add(s_vip);
            manager.Add(s_vip); // EEXIST renews instead
            manager.Renew(s_vip);
            Assert.True(manager.IsPresent(s_vip));
        });

        Assert.Matches(@"inet 10\.201\.0\.100/32 .*valid_lft [12]sec preferred_lft [12]sec", _ns.Ip("-4", "-o", "addr", "show", "dev", "vip0"));
        _ns.Run(() => Assert.Single(NetlinkVipManager.ListMarkedAddresses("vip0")));

        // Nobody renews: the kernel's lifetime check deletes it within a second of the lease.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_ns.Ip("-4", "-o", "addr", "show", "dev", "vip0").Contains("10.201.0.100", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the kernel never deleted the leased VIP");
            Thread.Sleep(100);
        }

        // A renewal after expiry adds it again (REPLACE|CREATE), so a late master heals its VIP.
        _ns.Run(() =>
        {
            using var manager = new NetlinkVipManager(InterfaceInfo.Get("vip0", [s_vip.Address]), null, _logger, TimeSpan.FromSeconds(2));
            manager.Renew(s_vip);
            Assert.True(manager.IsPresent(s_vip));
        });
    }

    [RootFact]
    public void Remove_DeletesTheVip_AndASecondRemoveIsNotAnError()
    {
        _ns.Run(() =>
        {
            using var manager = new NetlinkVipManager(InterfaceInfo.Get("vip0", [s_vip.Address]), "vip0:vip", _logger);
            manager.Add(s_vip);

            manager.Remove(s_vip);
            Assert.False(manager.IsPresent(s_vip));
            manager.Remove(s_vip); // EADDRNOTAVAIL counts as success
        });

        Assert.DoesNotContain("10.201.0.100", _ns.Ip("-4", "-o", "addr", "show", "dev", "vip0"));
        Assert.Contains(_logger.Entries, e => e.EventId.Id == 1223);
    }

    [RootFact]
    public void IsPresent_RequiresTheSamePrefixLength()
    {
        _ns.Run(() =>
        {
            using var manager = new NetlinkVipManager(InterfaceInfo.Get("vip0", []), null, _logger);
            manager.Add(s_vip);

            Assert.False(manager.IsPresent(s_vip with { PrefixLength = 24 }));
            Assert.True(manager.IsPresent(s_vip));
        });
    }

    [RootFact]
    public void Add_OnAVanishedInterface_ThrowsWithTheErrnoText()
    {
        _ns.Run(() =>
        {
            using var manager = new NetlinkVipManager(InterfaceInfo.Get("vip0", []), null, _logger);
            _ns.Ip("link", "del", "vip0");

            var ex = Assert.Throws<System.ComponentModel.Win32Exception>(() => manager.Add(s_vip));
            Assert.Contains("No such device", ex.Message);
        });
    }

    [RootFact]
    public void Remove_OnAVanishedInterface_CountsAsRemoved()
    {
        _ns.Run(() =>
        {
            using var manager = new NetlinkVipManager(InterfaceInfo.Get("vip0", []), null, _logger);
            manager.Add(s_vip);
            _ns.Ip("link", "del", "vip0");

            manager.Remove(s_vip);

            Assert.False(manager.IsPresent(s_vip));
        });
    }

    [RootFact]
    public void Add_AfterTheInterfaceWasRecreated_FollowsTheNewIndex()
    {
        _ns.Run(() =>
        {
            using var manager = new NetlinkVipManager(InterfaceInfo.Get("vip0", []), null, _logger);
            _ns.Ip("link", "del", "vip0");
            _ns.Ip("link", "add", "vip0", "type", "veth", "peer", "name", "vip1");

            manager.Add(s_vip);

            Assert.True(manager.IsPresent(s_vip));
        });

        Assert.Contains("10.201.0.100/32", _ns.Ip("-4", "-o", "addr", "show", "dev", "vip0"));
        Assert.Contains(_logger.Entries, e => e.EventId.Id == 1225);
    }

    [RootFact]
    public void MarkedAddresses_ListOnlyOurs_AndReleaseRemovesOnlyOurs()
    {
        _ns.Ip("addr", "add", "10.201.0.50/32", "dev", "vip0"); // someone else's address
        var released = _ns.Run(() =>
        {
            using (var manager = new NetlinkVipManager(InterfaceInfo.Get("vip0", []), null, _logger))
            {
                manager.Add(s_vip);
            }

            // The manager is gone as after a crash; a fresh process finds and releases the leftover.
            var listed = NetlinkVipManager.ListMarkedAddresses();
            Assert.Equal([s_vip], listed.Select(m => m.Address));
            Assert.Empty(NetlinkVipManager.ListMarkedAddresses("lo"));
            return NetlinkVipManager.RemoveMarkedAddresses(_logger);
        });

        Assert.Equal("vip0", Assert.Single(released).InterfaceName);
        var shown = _ns.Ip("-4", "-o", "addr", "show", "dev", "vip0");
        Assert.DoesNotContain("10.201.0.100", shown);
        Assert.Contains("10.201.0.50/32", shown);
        Assert.Contains(_logger.Entries, e => e.EventId.Id == 1224 && e.Level == LogLevel.Information);
    }

    [RootFact]
    public void AnIPv6Vip_IsAddedWithNoDadAndOurMark_IsListedForRelease_AndRemoved()
    {
        var vip6 = new VirtualAddress(IPAddress.Parse("fd00:201::100"), 64);
        _ns.Run(() =>
        {
            using var manager = new NetlinkVipManager(InterfaceInfo.Get("vip0", [vip6.Address]), "vip0:vip", _logger);
            Assert.False(manager.IsPresent(vip6));
            manager.Add(vip6);
            Assert.True(manager.IsPresent(vip6));
            manager.Add(vip6); // EEXIST counts as success
            Assert.Equal([vip6], NetlinkVipManager.ListMarkedAddresses("vip0").Select(m => m.Address));
        });

        // nodad: never tentative, usable at once (a takeover must not wait for duplicate address detection).
        var shown = _ns.Ip("-6", "-d", "-o", "addr", "show", "dev", "vip0");
        Assert.Matches(@"inet6 fd00:201::100/64 .*nodad", shown);
        Assert.DoesNotContain("tentative", shown);

        var released = _ns.Run(() => NetlinkVipManager.RemoveMarkedAddresses(_logger));
        Assert.Equal([vip6], released.Select(m => m.Address));
        Assert.DoesNotContain("fd00:201::100", _ns.Ip("-6", "-o", "addr", "show", "dev", "vip0"));
    }

    [RootFact]
    public void AnIPv6HostVip_IsAddedDeprecated_ForeverOrForItsLease_AndARenewalKeepsItDeprecated()
    {
        var host = new VirtualAddress(IPAddress.Parse("fd00:201::128"), 128);
        var leased = new VirtualAddress(IPAddress.Parse("fd00:201::129"), 128);
        _ns.Run(() =>
        {
            using var manager = new NetlinkVipManager(InterfaceInfo.Get("vip0", [host.Address]), null, _logger);
            manager.Add(host);
            Assert.True(manager.IsPresent(host));
            using var leasing = new NetlinkVipManager(InterfaceInfo.Get("vip0", [leased.Address]), null, _logger, TimeSpan.FromSeconds(30));
            leasing.Add(leased);
            leasing.Renew(leased);
        });

        // Deprecated: source address selection never picks it for the node's own connections (keepalived does the same).
        var shown = _ns.Ip("-6", "-o", "addr", "show", "dev", "vip0");
        Assert.Matches(@"inet6 fd00:201::128/128 .*deprecated.*valid_lft forever preferred_lft 0sec", shown);
        Assert.Matches(@"inet6 fd00:201::129/128 .*deprecated.*valid_lft (29|30)sec preferred_lft 0sec", shown);
    }
}
