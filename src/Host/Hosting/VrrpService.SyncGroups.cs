using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Vrrp;

namespace CloudCoreLb.Host.Hosting;

/// <summary>
/// The configured sync groups, formed over the running instances before they start and again after a reload, with
/// their notify hooks (keepalived's group notify_master/backup/fault/stop and generic notify).
/// </summary>
internal sealed partial class VrrpService
{
    // Replaced as a whole: status and metrics read it from other threads.
    private volatile FormedGroups _syncGroups = new([], [], []);

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

        // The old hooks finish what they queued on their own (at most their timeout).
        _ = DisposeSyncGroupsAsync().AsTask();
        var byName = instances.ToDictionary(i => i.Config.Options.Name, StringComparer.Ordinal);
        var groups = new List<VrrpSyncGroup>();
        var runners = new List<NotifyRunner>();
        var logger = loggers.CreateLogger("CloudCoreLb.Vrrp");
        foreach (var group in next.VrrpSyncGroups)
        {
            // The loader refused unknown members; an instance that failed to open on reload is simply missing.
            var members = group.Instances.Where(byName.ContainsKey).Select(n => byName[n].Handle).ToArray();
            if (members.Length == 0)
            {
                continue;
            }

            var formed = new VrrpSyncGroup(group.Name, members, loggers);
            if (!group.Notify.IsEmpty)
            {
                var runner = new NotifyRunner(group.Name, group.Notify, logger, kind: "GROUP");
                formed.StateChanged += state => runner.Enqueue(state, 0);
                runners.Add(runner);
            }

            groups.Add(formed);
        }

        _syncGroups = new(next.VrrpSyncGroups, [.. groups], [.. runners]);
    }

    private async ValueTask DisposeSyncGroupsAsync()
    {
        var current = _syncGroups;
        _syncGroups = new([], [], []);
        foreach (var group in current.Groups)
        {
            group.Dispose();
        }

        foreach (var runner in current.Runners)
        {
            await runner.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed record FormedGroups(IReadOnlyList<VrrpSyncGroupConfig> Config, VrrpSyncGroup[] Groups, NotifyRunner[] Runners);
}
