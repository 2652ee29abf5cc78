using CloudCoreLb.Import.Keepalived;

namespace CloudCoreLb.Import.Tests.Keepalived;

public sealed class KeepalivedParserTests
{
    private readonly ImportDiagnostics _diagnostics = new();

    private KeepalivedConfig Parse(string text)
    {
        var lines = KeepalivedLexer.ForFiles(_diagnostics).ReadText("k.conf", text);
        return new KeepalivedParser(_diagnostics).Parse("k.conf", lines);
    }

    private string AllWarnings => string.Join("\n", _diagnostics.Items);

    [Fact]
    public void TrailingTokensAfterAKeywordAreIgnoredLikeKeepalivedAndWarned()
    {
        var config = Parse("global_defs {\n  router_id lb01 vrrp_mcast_group4 224.0.0.19\n}\n");

        Assert.Equal("lb01", config.RouterId);
        Assert.Null(config.MulticastGroup);
        var warning = Assert.Single(_diagnostics.Warnings);
        Assert.Equal("k.conf:2: warning: keepalived ignores 'vrrp_mcast_group4 224.0.0.19' after 'router_id lb01'; one keyword per line, so it is not imported either", warning.ToString());
    }

    [Fact]
    public void AOneLineBlockReadsItsEntries()
    {
        var config = Parse("vrrp_instance VI { virtual_router_id 5 }\nvrrp_instance V2 {\nvirtual_ipaddress { 10.0.0.1/24 dev eth0 label eth0:vip }\n}");
        Assert.Equal(5, config.Instances[0].VirtualRouterId);
        var vip = Assert.Single(config.Instances[1].VirtualAddresses);
        Assert.Equal(("10.0.0.1/24", "eth0", "eth0:vip"), (vip.Address, vip.Device, vip.Label));
    }

    [Fact]
    public void ScriptKeepsItsQuotedCommandLineAndTheScriptDefaultsMatchKeepalived()
    {
        var script = Assert.Single(Parse("vrrp_script chk {\n script \"/usr/bin/check 'a b'\"\n}").Scripts);
        Assert.Equal("/usr/bin/check 'a b'", script.Script);
        Assert.Equal((TimeSpan.FromSeconds(1), 1, 1, 0), (script.Interval, script.Rise, script.Fall, script.Weight));
    }

    [Fact]
    public void ScriptKeepsItsEscapesForTheRuntimeSplitSoImportAndDaemonReadTheSamePath()
    {
        var script = Assert.Single(Parse("vrrp_script chk {\n script \"/opt/my\\ checks/chk.sh \\\"a b\\\"\"\n}").Scripts);
        Assert.Equal("/opt/my\\ checks/chk.sh \\\"a b\\\"", script.Script);
        Assert.Equal(["/opt/my checks/chk.sh", "\"a", "b\""], CloudCoreLb.HealthCheck.Probes.ScriptCommandLine.Split(script.Script!));
    }

    [Theory]
    [InlineData("script \"/bin/true", "unterminated double quote")]
    [InlineData("script \"/bin/x 'y\"", "unterminated single quote")]
    public void AScriptLineNeitherPassCanSplitIsWarnedAndNotImported(string line, string reason)
    {
        var script = Assert.Single(Parse($"vrrp_script chk {{\n {line}\n}}").Scripts);
        Assert.Null(script.Script);
        Assert.Contains(reason, AllWarnings);
        Assert.Contains("so it is not imported", AllWarnings);
    }

    [Fact]
    public void AVrrpScriptWithoutAScriptIsWarnedAndDroppedFromTracking()
    {
        var config = Parse("vrrp_script empty {\n interval 2\n}\n");
        Assert.Null(Assert.Single(config.Scripts).Script);
        Assert.Contains("k.conf:1: warning: vrrp_script empty has no 'script'", AllWarnings);
    }

    [Fact]
    public void AnAuthPassLongerThanEightBytesIsTruncatedAndNeverPrinted()
    {
        var instance = Assert.Single(Parse("vrrp_instance V {\n authentication {\n  auth_type PASS\n  auth_pass SuperSecret123\n }\n}").Instances);

        Assert.Equal("SuperSec", instance.AuthPassword);
        Assert.Contains("k.conf:4: warning: auth_pass ******** is longer than 8 bytes", AllWarnings);
        Assert.DoesNotContain("SuperSec", AllWarnings);
    }

    [Fact]
    public void APasswordAmongIgnoredTrailingWordsIsMasked()
    {
        var instance = Assert.Single(Parse("vrrp_instance V {\n authentication { auth_type PASS auth_pass hunter2 }\n}").Instances);

        Assert.Null(instance.AuthPassword);
        Assert.Contains("keepalived ignores 'auth_pass ********' after 'auth_type PASS'", AllWarnings);
        Assert.DoesNotContain("hunter2", AllWarnings);
    }

    [Fact]
    public void KeywordsThatCannotBeCarriedOverAreWarnedWithFileAndLine()
    {
        Parse("""
            vrrp_sync_group G {
              group { V }
            }
            vrrp_instance V {
              use_vmac
              track_interface {
                eth1
              }
              authentication {
                auth_type AH
              }
              bogus_keyword 1
            }
            virtual_server 10.0.0.1 80 {
              sorry_server 10.0.0.2 80
            }
            """);
        var warnings = _diagnostics.Warnings.Select(w => (w.Line, w.Message.Split(' ')[0])).ToList();
        Assert.Contains((5, "'use_vmac'"), warnings);
        Assert.Contains((10, "auth_type"), warnings);
        Assert.Contains((12, "unknown"), warnings);
        Assert.Contains((14, "'virtual_server'"), warnings);
    }

    [Fact]
    public void StateMasterWithoutPriority255IsOnlyAStartHint()
    {
        var instance = Assert.Single(Parse("vrrp_instance V {\n state MASTER\n priority 100\n}").Instances);
        Assert.Equal(100, instance.EffectivePriority);
        Assert.Contains("'state MASTER' with priority 100 is only a start hint", AllWarnings);
    }

    [Fact]
    public void AnOmittedPriorityFollowsTheState()
    {
        var config = Parse("vrrp_instance A {\n state MASTER\n}\nvrrp_instance B {\n state BACKUP\n}");
        Assert.Equal([255, 100], config.Instances.Select(i => i.EffectivePriority));
    }

    [Fact]
    public void AnUnclosedBlockIsAParseError()
    {
        var ex = Assert.Throws<ImportException>(() => Parse("vrrp_instance V {\n priority 100\n"));
        Assert.Contains("k.conf:1: error:", ex.Message);
    }

    [Fact]
    public void TrackScriptWeightOverridesAndTimersAreDecimalSeconds()
    {
        var instance = Assert.Single(Parse("vrrp_instance V {\n preempt_delay 1.5\n nopreempt\n track_script {\n  chk weight -20\n  other\n }\n}").Instances);
        Assert.Equal([("chk", (int?)-20), ("other", null)], instance.TrackScripts.Select(t => (t.Name, t.Weight)));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), instance.PreemptDelay);
        Assert.True(instance.NoPreempt);
    }

    [Fact]
    public void AVirtualAddressListedTwiceIsImportedOnceWithAWarningNamingTheFirst()
    {
        var instance = Assert.Single(Parse("vrrp_instance V {\n virtual_ipaddress {\n  10.0.0.7\n  10.0.0.8\n  10.0.0.7/24 label eth0:1\n }\n}").Instances);

        Assert.Equal(["10.0.0.7", "10.0.0.8"], instance.VirtualAddresses.Select(v => v.Address));
        Assert.Contains("k.conf:5: warning: virtual address 10.0.0.7 is listed again (first at line 3); the first entry is kept and this one is dropped", AllWarnings);
    }

    [Fact]
    public void AUnicastPeerAndATrackedScriptListedTwiceAreImportedOnce()
    {
        var instance = Assert.Single(Parse("vrrp_instance V {\n unicast_peer {\n  10.0.0.2\n  10.0.0.2\n }\n track_script {\n  chk\n  chk weight 5\n }\n}").Instances);

        Assert.Equal(["10.0.0.2"], instance.UnicastPeers);
        Assert.Equal((null, 7), (Assert.Single(instance.TrackScripts).Weight, instance.TrackScripts[0].Line));
        Assert.Contains("k.conf:4: warning: unicast_peer 10.0.0.2 is listed again;", AllWarnings);
        Assert.Contains("k.conf:8: warning: track_script 'chk' is listed again (first at line 7)", AllWarnings);
    }

    [Fact]
    public void AScriptOrInstanceDefinedTwiceInOneFileKeepsTheFirstAsKeepalivedDoes()
    {
        var config = Parse("vrrp_script s {\n script /bin/true\n}\nvrrp_script s {\n script /bin/false\n}\nvrrp_instance V {\n virtual_router_id 5\n}\nvrrp_instance V {\n virtual_router_id 6\n}\n");

        Assert.Equal("/bin/true", Assert.Single(config.Scripts).Script);
        Assert.Equal(5, Assert.Single(config.Instances).VirtualRouterId);
        Assert.Contains("k.conf:4: warning: vrrp_script s is defined again (first at line 1); keepalived tracks the first", AllWarnings);
        Assert.Contains("k.conf:10: warning: vrrp_instance V is defined again (first at line 7); keepalived refuses the second", AllWarnings);
    }
}
