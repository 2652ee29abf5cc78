using System.Globalization;

namespace CloudCoreLb.Import.Keepalived;

/// <summary><c>vrrp_sync_group</c> blocks and <c>track_interface</c> lists (of an instance or of a group).</summary>
internal sealed partial class KeepalivedParser
{
    private void ReadSyncGroup(KeepalivedConfig config, KeepalivedNode node)
    {
        if (Name(node) is not { } name || Block(node) is not { } body)
        {
            return;
        }

        if (config.SyncGroups.FirstOrDefault(g => g.Name == name) is { } first)
        {
            Warn(node, $"vrrp_sync_group {name} is defined again (first at line {first.Line}); keepalived refuses the second and skips its block, so it is not imported");
            return;
        }

        var group = new KeepalivedSyncGroup(name, node.Line.File, node.Line.Line);
        var sawGroup = false;
        foreach (var entry in body)
        {
            switch (entry.Keyword)
            {
                case "group":
                    if (sawGroup)
                    {
                        Warn(entry, $"vrrp_sync_group {name}: the group list is given again; keepalived keeps the first, so this one is dropped");
                        break;
                    }

                    sawGroup = true;
                    foreach (var member in Block(entry) ?? [])
                    {
                        // keepalived reads every word of the block: one name a line or several on one.
                        foreach (var word in member.Line.Words)
                        {
                            group.Instances.Add((word, member.Line.Line));
                        }
                    }

                    break;
                case "track_interface":
                    ReadTrackInterfaces(group.TrackInterfaces, entry);
                    break;
                case "notify_master" or "notify_backup" or "notify_fault" or "notify_stop" or "notify":
                    if (Command(entry, extraAllowed: 2) is { } command)
                    {
                        group.Notify[entry.Keyword == "notify" ? "any" : entry.Keyword["notify_".Length..]] = command;
                    }

                    break;
                default:
                    NotCarried(entry);
                    break;
            }
        }

        if (group.Instances.Count == 0)
        {
            Warn(node, $"vrrp_sync_group {name} has no members (keepalived removes it); not imported");
            return;
        }

        config.SyncGroups.Add(group);
    }

    /// <summary><c>track_interface { name [weight W [reverse]] }</c>.</summary>
    private void ReadTrackInterfaces(List<KeepalivedTrackInterface> tracked, KeepalivedNode node)
    {
        foreach (var entry in Block(node) ?? [])
        {
            var weight = 0;
            var args = entry.Args;
            if (args is ["weight", var w, ..])
            {
                if (int.TryParse(w, CultureInfo.InvariantCulture, out var parsed) && parsed is >= -253 and <= 253)
                {
                    weight = parsed;
                }
                else
                {
                    Warn(entry, $"track_interface {entry.Keyword} weight '{w}' is not -253..253; keepalived ignores the weight, so the interface faults the instance");
                }

                args = args.Skip(2).ToArray();
            }

            if (args is ["reverse" or "noreverse", ..])
            {
                if (args[0] == "reverse")
                {
                    Warn(entry, "track_interface 'reverse' is not supported; the weight is imported unreversed");
                }

                args = args.Skip(1).ToArray();
            }

            if (args.Count > 0)
            {
                Trailing(entry, args);
            }

            if (tracked.FirstOrDefault(t => t.Name == entry.Keyword) is { } first)
            {
                Repeated(entry, $"track_interface '{entry.Keyword}'", first.Line);
                continue;
            }

            tracked.Add(new KeepalivedTrackInterface(entry.Keyword, weight, entry.Line.Line));
        }
    }
}
