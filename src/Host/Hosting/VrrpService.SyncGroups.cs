using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Vrrp;

namespace CloudCoreLb.Host.Hosting;

/// <summary>The configured sync groups, formed over the running instances before they start and again after a reload.</summary>
internal sealed partial class VrrpService
{
    // Replaced as a whole: status and metrics read it from other threads.
    private volatile FormedGroups _syncGroups = new([], []);

    /// <summary>The sync groups now in force.</summary>
    public IReadOnlyList<VrrpSyncGroup> SyncGroups => _syncGroups.Groups;

    /// <summary>
    /// Forms the groups <paramref name="next"/> configures over <paramref name="instances"/>. Groups whose members all
    /// kept running and whose configuration is unchanged stay as they are, so a reload moves nothing.
    /// </summary>
    private void FormSyncGroups(CloudCoreLbConfig next, IReadOnlyList<HostedVrrpInstance> instances, bool membersKept)
    {
        var current = _syncGroups;
        if (membersKept && current.Config.SequenceEqual(next.VrrpSyncGroups))
        {
            return;
        }

        DisposeSyncGroups();
        var byName = instances.ToDictionary(i => i.Config.Options.Name, StringComparer.Ordinal);
        var groups = new List<VrrpSyncGroup>();
        foreach (var group in next.VrrpSyncGroups)
        {
            // The loader refused unknown members; an instance that failed to open on reload is simply missing.
            var members = group.Instances.Where(byName.ContainsKey).Select(n => byName[n].Handle).ToArray();
            if (members.Length > 0)
            {
                groups.Add(new VrrpSyncGroup(group.Name, members, loggers));
            }
        }

        _syncGroups = new(next.VrrpSyncGroups, [.. groups]);
    }

    private void DisposeSyncGroups()
    {
        var current = _syncGroups;
        _syncGroups = new([], []);
        foreach (var group in current.Groups)
        {
            group.Dispose();
        }
    }

    private sealed record FormedGroups(IReadOnlyList<VrrpSyncGroupConfig> Config, VrrpSyncGroup[] Groups);
}
