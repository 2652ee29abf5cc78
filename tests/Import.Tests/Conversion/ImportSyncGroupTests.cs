using System.Net;
using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Vrrp;

namespace CloudCoreLb.Import.Tests.Conversion;

/// <summary>
/// <c>vrrp_sync_group</c>, <c>track_interface</c> (with and without weight, on an instance and on its group) and
/// <c>virtual_ipaddress { ADDR dev IF }</c>, written the way keepalived's doc/samples use them (vrrp.sync,
/// track_interface): they convert without a warning and the result loads with the same meaning.
/// </summary>
public sealed class ImportSyncGroupTests : IDisposable
{
    private const string Keepalived = """
        vrrp_sync_group G1 {
          group {
            VI_1
            VI_2
          }
          track_interface {
            eth3 weight -30
          }
          notify_master "/bin/true master"
          notify "/bin/true"
        }

        vrrp_sync_group G2 {
          group { VI_3 }
        }

        vrrp_instance VI_1 {
            interface eth0
            state MASTER
            virtual_router_id 51
            priority 100
            track_interface {
              eth0
              eth1 weight -20
            }
            virtual_ipaddress {
                192.168.200.16
                192.168.200.17 dev eth1
                192.168.200.18/24 dev eth0
            }
        }

        vrrp_instance VI_2 {
            interface eth1
            virtual_router_id 52
            priority 100
            virtual_ipaddress {
                192.168.201.18/26
            }
        }

        vrrp_instance VI_3 {
            interface eth0
            virtual_router_id 53
            priority 100
            virtual_ipaddress {
                192.168.200.19/27
            }
        }
        """;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("cloudcore-lb-sync-import-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void SyncGroupsTrackedInterfacesAndVipDevices_ConvertWithoutWarningAndLoadWithTheSameMeaning()
    {
        var (yaml, diagnostics) = Import(Keepalived);

        // The only warning left is the MASTER-without-255 start hint, which is about something else.
        Assert.DoesNotContain(diagnostics.Warnings, w => w.Message.Contains("sync", StringComparison.OrdinalIgnoreCase)
            || w.Message.Contains("track_interface", StringComparison.Ordinal) || w.Message.Contains("dev", StringComparison.Ordinal));
        var config = ConfigLoader.Parse(yaml, "imported.yaml", "lb01");

        Assert.Equal([("G1", "VI_1,VI_2"), ("G2", "VI_3")], config.VrrpSyncGroups.Select(g => (g.Name, string.Join(",", g.Instances))));
        var vi1 = config.VrrpInstances[0].Options;
        Assert.Equal([new("eth0"), new("eth1", -20), new("eth3", -30)], vi1.TrackedInterfaces.ToArray<VrrpTrackedInterface>());
        Assert.Equal(
            [new(IPAddress.Parse("192.168.200.16"), 32), new(IPAddress.Parse("192.168.200.17"), 32, "eth1"), new(IPAddress.Parse("192.168.200.18"), 24)],
            vi1.VirtualAddresses.ToArray<VirtualAddress>());
        Assert.Equal([new VrrpTrackedInterface("eth3", -30)], config.VrrpInstances[1].Options.TrackedInterfaces);
        Assert.Equal(("/bin/true master", "/bin/true", null), (config.VrrpSyncGroups[0].Notify.Master, config.VrrpSyncGroups[0].Notify.Any, config.VrrpSyncGroups[0].Notify.Backup));
        Assert.Empty(config.VrrpInstances[2].Options.TrackedInterfaces);
    }

    [Fact]
    public void AGroupMemberWithoutAnInstance_OrInTwoGroups_IsWarnedAndLeftOut()
    {
        var (yaml, diagnostics) = Import(Keepalived.Replace("group { VI_3 }", "group { VI_3 VI_1 VI_9 }"));

        Assert.Contains(diagnostics.Warnings, w => w.Message.Contains("VI_1 is already in sync group G1", StringComparison.Ordinal));
        Assert.Contains(diagnostics.Warnings, w => w.Message.Contains("no vrrp_instance VI_9", StringComparison.Ordinal));
        Assert.Equal(["VI_3"], ConfigLoader.Parse(yaml, "imported.yaml", "lb01").VrrpSyncGroups[1].Instances);
    }

    [Fact]
    public void MembersOutsideTheGroupBlock_AreWhatKeepalivedIgnores_SoTheGroupIsNotImported()
    {
        var (yaml, diagnostics) = Import("vrrp_sync_group VG1 {\n  VI_1\n}\n" + Keepalived[Keepalived.IndexOf("vrrp_instance VI_1", StringComparison.Ordinal)..]);

        Assert.Contains(diagnostics.Warnings, w => w.Message.Contains("vrrp_sync_group VG1 has no members", StringComparison.Ordinal));
        Assert.Empty(ConfigLoader.Parse(yaml, "imported.yaml", "lb01").VrrpSyncGroups);
    }

    private (string Yaml, ImportDiagnostics Diagnostics) Import(string keepalived)
    {
        var path = Path.Combine(_dir.FullName, "keepalived.conf");
        File.WriteAllText(path, keepalived);
        var diagnostics = new ImportDiagnostics();
        var yaml = Importer.Run([path], null, new ImportOptions { ReadScript = _ => null }, diagnostics);
        return (yaml, diagnostics);
    }
}
