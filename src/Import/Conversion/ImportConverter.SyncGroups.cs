using CloudCoreLb.Import.Keepalived;

namespace CloudCoreLb.Import.Conversion;

/// <summary>
/// <c>vrrp_sync_group</c> becomes <c>vrrp.sync_groups</c>, <c>track_interface</c> (an instance's and its group's,
/// which keepalived adds to every member) becomes <c>track_interfaces</c>.
/// </summary>
internal sealed partial class ImportConverter
{
    private void WriteSyncGroups(List<ImportSource> sources, List<string> instanceNames)
    {
        var first = sources[0].Config;
        foreach (var other in sources.Skip(1).Select(s => s.Config))
        {
            if (Describe(other) != Describe(first))
            {
                diagnostics.Warn(other.File, 0, $"vrrp_sync_group differs from {Path.GetFileName(first.File)}; the first file's groups are used");
            }
        }

        var groups = new List<(KeepalivedSyncGroup Group, List<string> Members)>();
        var placed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in first.SyncGroups)
        {
            var members = new List<string>();
            foreach (var (instance, line) in group.Instances)
            {
                if (!instanceNames.Contains(instance))
                {
                    diagnostics.Warn(group.File, line, $"vrrp_sync_group {group.Name}: no vrrp_instance {instance} (keepalived ignores the member); not carried over");
                }
                else if (placed.TryGetValue(instance, out var otherGroup))
                {
                    diagnostics.Warn(group.File, line, $"vrrp_sync_group {group.Name}: {instance} is already in sync group {otherGroup} (keepalived ignores it here); not carried over");
                }
                else
                {
                    placed[instance] = group.Name;
                    members.Add(instance);
                }
            }

            if (members.Count > 0)
            {
                groups.Add((group, members));
            }
        }

        if (groups.Count == 0)
        {
            return;
        }

        using var block = _yaml.Block("sync_groups", "keepalived vrrp_sync_group: the members change state together");
        foreach (var (group, members) in groups)
        {
            using var item = _yaml.Item();
            _yaml.Value("name", YamlEmitter.Str(group.Name));
            _yaml.Value("instances", YamlEmitter.FlowList(members.Select(YamlEmitter.Str)));
            if (group.Notify.Count > 0)
            {
                using var notify = _yaml.Block("notify");
                foreach (var (transition, command) in group.Notify)
                {
                    var (line, comment) = ResolveCommand(command, group.File, group.Line, $"vrrp_sync_group {group.Name} notify_{transition}");
                    _yaml.Value(transition, YamlEmitter.Str(line), comment);
                }
            }
        }

        static string Describe(KeepalivedConfig config) =>
            string.Join(";", config.SyncGroups.Select(g => $"{g.Name}:{string.Join(",", g.Instances.Select(i => i.Instance))}"));
    }

    private void WriteTrackInterfaces(KeepalivedInstance instance, KeepalivedConfig config)
    {
        var tracked = new List<KeepalivedTrackInterface>(instance.TrackInterfaces);
        foreach (var group in config.SyncGroups.Where(g => g.Instances.Any(i => i.Instance == instance.Name)).Take(1))
        {
            foreach (var t in group.TrackInterfaces)
            {
                if (tracked.FirstOrDefault(o => o.Name == t.Name) is { } own)
                {
                    // keepalived: the group's entry replaces the instance's, with a config error.
                    diagnostics.Warn(instance.File, own.Line, $"track_interface {t.Name} is on vrrp_instance {instance.Name} and on its sync group {group.Name}; the group's weight is used");
                    tracked.Remove(own);
                }

                tracked.Add(t);
            }
        }

        if (tracked.Count == 0)
        {
            return;
        }

        _yaml.Value("track_interfaces", YamlEmitter.FlowList(tracked.Select(t => t.Weight == 0
            ? YamlEmitter.Str(t.Name)
            : YamlEmitter.Flow([("interface", YamlEmitter.Str(t.Name)), ("weight", t.Weight.ToString(System.Globalization.CultureInfo.InvariantCulture))]))));
    }
}
