using CloudCoreLb.Import.Keepalived;

namespace CloudCoreLb.Import.Conversion;

/// <summary>The <c>vrrp:</c> section: one instance per <c>vrrp_instance</c>, merged across nodes.</summary>
internal sealed partial class ImportConverter
{
    /// <summary>Whether the <c>vrrp:</c> section being written has <c>strict: true</c>.</summary>
    private bool _strict;

    private void WriteVrrp(List<ImportSource> sources)
    {
        var names = sources.SelectMany(s => s.Config.Instances).Select(i => i.Name).Distinct().ToList();
        if (names.Count == 0)
        {
            diagnostics.Warn(sources[0].Config.File, 0, "no vrrp_instance found; the 'vrrp' section is left out");
            return;
        }

        using var vrrp = _yaml.Block("vrrp");
        WriteStrict(sources);
        using (_yaml.Block("instances"))
        {
            WriteInstances(sources, names);
        }

        WriteSyncGroups(sources, names);
    }

    private void WriteInstances(List<ImportSource> sources, List<string> names)
    {
        foreach (var name in names)
        {
            var perNode = new List<(ImportSource Source, KeepalivedInstance Instance)>();
            foreach (var source in sources)
            {
                if (source.Config.Instances.FirstOrDefault(i => i.Name == name) is { } instance)
                {
                    perNode.Add((source, instance));
                }
                else
                {
                    diagnostics.Warn(source.Config.File, 0, $"vrrp_instance {name} is missing here; node '{source.NodeName}' would not run it");
                }
            }

            WriteInstance(perNode, multiNode: sources.Count > 1);
        }
    }

    private void WriteInstance(List<(ImportSource Source, KeepalivedInstance Instance)> perNode, bool multiNode)
    {
        var (baseSource, first) = perNode[0];
        var config = baseSource.Config;
        foreach (var (source, other) in perNode.Skip(1))
        {
            CompareInstances(first, config, other, source.Config);
        }

        var interfaces = perNode.Select(p => p.Instance.Interface ?? "eth0").Distinct().ToList();
        using var item = _yaml.Item();
        _yaml.Value("name", YamlEmitter.Str(first.Name));
        _yaml.Value("interface", YamlEmitter.Str(first.Interface ?? "eth0"));
        if (first.VirtualRouterId is { } vrid)
        {
            _yaml.Value("virtual_router_id", vrid);
        }
        else
        {
            diagnostics.Warn(first.File, first.Line, $"vrrp_instance {first.Name} has no virtual_router_id (required); fill it in");
        }

        if (!multiNode)
        {
            _yaml.Value("priority", first.EffectivePriority, first.State is { } state ? $"keepalived 'state {state}': a start hint only, the priority decides" : null);
        }

        WriteVersionAndInterval(first);
        if (first.Version == 3)
        {
            WarnVersion3Authentication(first);
        }
        else if (_strict && first.AuthType is not null)
        {
            diagnostics.Warn(first.File, first.Line, $"vrrp_instance {first.Name}: keepalived ignores authentication under vrrp_strict (\"Strict mode does not support authentication. Ignoring.\"); imported without it");
        }
        else if (first.AuthType == "PASS" && first.AuthPassword is { } password)
        {
            _yaml.Value("authentication", YamlEmitter.Flow([("type", "pass"), ("password", Quoted(password))]));
        }
        else if (first.AuthType == "PASS")
        {
            diagnostics.Warn(first.File, first.Line, $"vrrp_instance {first.Name}: auth_type PASS without auth_pass; imported without authentication");
        }

        if (config.MulticastGroup is { } group)
        {
            _yaml.Value("multicast_group", group);
        }

        WriteMulticastGroup6(config, first);
        WriteVirtualAddresses(first);
        if (first.NoPreempt)
        {
            _yaml.Value("preempt", false, "keepalived nopreempt");
        }

        if (first.PreemptDelay is { } delay)
        {
            _yaml.Value("preempt_delay", Duration(delay));
        }

        // Only a written 'off' is carried: keepalived's default is off, ours on (it makes a healed partition re-GARP).
        if ((first.HigherPrioritySendAdvert ?? config.HigherPrioritySendAdvert) == false)
        {
            _yaml.Value("higher_priority_send_advert", false, "keepalived higher_prio_send_advert off");
        }

        WriteUnicast(perNode, multiNode);
        WriteGarp(first.Garp.Over(config.Garp));
        WriteTrack(first, config);
        WriteTrackInterfaces(first, config);
        if (first.Notify.Count > 0)
        {
            using var notify = _yaml.Block("notify");
            foreach (var (transition, command) in first.Notify)
            {
                var (line, comment) = ResolveCommand(command, first.File, first.Line, $"vrrp_instance {first.Name} notify_{transition}");
                _yaml.Value(transition, YamlEmitter.Str(line), comment);
            }
        }

        if (multiNode)
        {
            _yaml.Comment("Node names are each file's router_id (or file name): rename them to the masters' host names.");
            using var nodes = _yaml.Block("nodes");
            foreach (var (source, instance) in perNode)
            {
                var values = new List<(string, string)> { ("priority", instance.EffectivePriority.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
                if (instance.SourceAddress is { } unicastSource)
                {
                    values.Add(("unicast_source", unicastSource));
                }

                if (interfaces.Count > 1)
                {
                    values.Add(("interface", YamlEmitter.Str(instance.Interface ?? "eth0")));
                }

                var state = instance.State is { } s ? $"state {s} in " : "";
                _yaml.Value(YamlEmitter.Str(source.NodeName), YamlEmitter.Flow(values), $"{state}{Path.GetFileName(instance.File)}");
            }
        }
    }

    private void WriteVirtualAddresses(KeepalivedInstance instance)
    {
        if (instance.VirtualAddresses.Count == 0)
        {
            diagnostics.Warn(instance.File, instance.Line, $"vrrp_instance {instance.Name} has no virtual_ipaddress (required); fill it in");
        }

        // A VIP on another interface keeps its 'dev' (the instance interface's is implied).
        _yaml.Value("virtual_addresses", YamlEmitter.FlowList(instance.VirtualAddresses.Select(v =>
            v.Device is { } device && device != (instance.Interface ?? "eth0") ? YamlEmitter.Str($"{v.Address} dev {device}") : v.Address)));

        var labels = instance.VirtualAddresses.Select(v => v.Label).Where(l => l is not null).Distinct().ToList();
        if (labels.Count > 0)
        {
            _yaml.Value("address_label", YamlEmitter.Str(labels[0]!));
            if (labels.Count > 1 || instance.VirtualAddresses.Any(v => v.Label is null))
            {
                diagnostics.Warn(instance.File, instance.Line, $"vrrp_instance {instance.Name}: one address_label applies to every address; '{labels[0]}' is used");
            }
        }
    }

    private void WriteUnicast(List<(ImportSource Source, KeepalivedInstance Instance)> perNode, bool multiNode)
    {
        // keepalived lists the other nodes on each node; one shared list holds them all and each node drops itself.
        var peers = new List<string>();
        foreach (var (_, instance) in perNode)
        {
            foreach (var address in instance.UnicastPeers.Append(multiNode && instance.UnicastPeers.Count > 0 ? instance.SourceAddress : null))
            {
                if (address is not null && !peers.Contains(address))
                {
                    peers.Add(address);
                }
            }
        }

        var first = perNode[0].Instance;
        var source = multiNode ? null : first.SourceAddress;
        if (peers.Count == 0 && source is null)
        {
            return;
        }

        var values = new List<(string, string)>();
        if (source is not null)
        {
            values.Add(("source", source));
        }

        if (peers.Count > 0)
        {
            values.Add(("peers", YamlEmitter.FlowList(peers)));
        }

        _yaml.Value("unicast", YamlEmitter.Flow(values));
    }

    private void WriteGarp(KeepalivedGarp garp)
    {
        var values = new List<(string, string)>();
        Add("master_repeat", garp.MasterRepeat);
        Add("master_delay", garp.MasterDelay);
        Add("master_refresh", garp.MasterRefresh);
        Add("master_refresh_repeat", garp.MasterRefreshRepeat);
        Add("lower_priority_repeat", garp.LowerPriorityRepeat);
        Add("lower_priority_delay", garp.LowerPriorityDelay);
        if (values.Count > 0)
        {
            _yaml.Value("garp", YamlEmitter.Flow(values));
        }

        void Add(string key, object? value)
        {
            switch (value)
            {
                case int n:
                    values.Add((key, n.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    break;
                case TimeSpan t:
                    values.Add((key, Duration(t)));
                    break;
            }
        }
    }

    private void WriteTrack(KeepalivedInstance instance, KeepalivedConfig config)
    {
        var usable = instance.TrackScripts.Where(t =>
        {
            if (config.Scripts.Any(s => s.Name == t.Name && s.Script is not null))
            {
                return true;
            }

            diagnostics.Warn(instance.File, t.Line, $"track_script '{t.Name}' names no usable vrrp_script; keepalived silently tracks nothing, so it is not imported");
            return false;
        }).ToList();
        if (usable.Count == 0)
        {
            return;
        }

        using var track = _yaml.Block("track");
        foreach (var t in usable)
        {
            var values = new List<(string, string)> { ("check", YamlEmitter.Str(t.Name)) };
            if (t.Weight is { } weight)
            {
                values.Add(("weight", weight.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            _yaml.ItemLine(YamlEmitter.Flow(values));
        }
    }

    /// <summary>Warns about every shared value in which a node's copy of an instance differs from the first file's.</summary>
    private void CompareInstances(KeepalivedInstance a, KeepalivedConfig configA, KeepalivedInstance b, KeepalivedConfig configB)
    {
        var where = $"{Path.GetFileName(a.File)}:{a.Line}";
        Check("virtual_router_id", a.VirtualRouterId?.ToString(), b.VirtualRouterId?.ToString());
        Check("advert_int", a.AdvertInterval?.ToString(), b.AdvertInterval?.ToString());
        Check("version", a.Version?.ToString(System.Globalization.CultureInfo.InvariantCulture), b.Version?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Check("auth_type", a.AuthType, b.AuthType);
        if (a.AuthPassword != b.AuthPassword)
        {
            diagnostics.Warn(b.File, b.Line, $"vrrp_instance {b.Name}: auth_pass ******** differs from {where}; the first file's password is used");
        }

        Check("vrrp_mcast_group4", configA.MulticastGroup, configB.MulticastGroup);
        Check("virtual_ipaddress", Join(a.VirtualAddresses.Select(v => v.Address)), Join(b.VirtualAddresses.Select(v => v.Address)));
        Check("track_script", Join(a.TrackScripts.Select(t => $"{t.Name}/{t.Weight}")), Join(b.TrackScripts.Select(t => $"{t.Name}/{t.Weight}")));
        Check("track_interface", Join(a.TrackInterfaces.Select(t => $"{t.Name}/{t.Weight}")), Join(b.TrackInterfaces.Select(t => $"{t.Name}/{t.Weight}")));
        Check("nopreempt", a.NoPreempt.ToString(), b.NoPreempt.ToString());
        Check("preempt_delay", a.PreemptDelay?.ToString(), b.PreemptDelay?.ToString());
        Check("higher_prio_send_advert", (a.HigherPrioritySendAdvert ?? configA.HigherPrioritySendAdvert)?.ToString(), (b.HigherPrioritySendAdvert ?? configB.HigherPrioritySendAdvert)?.ToString());
        Check("garp", a.Garp.Over(configA.Garp).ToString(), b.Garp.Over(configB.Garp).ToString());
        Check("notify", Join(a.Notify.Select(n => $"{n.Key}={n.Value}")), Join(b.Notify.Select(n => $"{n.Key}={n.Value}")));

        void Check(string what, string? va, string? vb)
        {
            if (va != vb)
            {
                diagnostics.Warn(b.File, b.Line, $"vrrp_instance {b.Name}: {what} differs from {where}; the first file's value is used");
            }
        }

        static string Join(IEnumerable<string> values) => string.Join(",", values);
    }

    /// <summary>
    /// <c>vrrp_strict</c> becomes <c>vrrp.strict</c>, unless an instance has unicast peers: keepalived 2.2 runs those
    /// under strict mode, cloudcore-lb's refuses them (VRRP is defined over multicast), so strict is left out.
    /// </summary>
    private void WriteStrict(List<ImportSource> sources)
    {
        _strict = false;
        if (sources.FirstOrDefault(s => s.Config.Strict) is not { } strictSource)
        {
            return;
        }

        if (sources.SelectMany(s => s.Config.Instances).FirstOrDefault(i => i.UnicastPeers.Count > 0) is { } unicast)
        {
            diagnostics.Warn(unicast.File, unicast.Line, $"vrrp_instance {unicast.Name} has unicast peers, which cloudcore-lb's vrrp.strict refuses; vrrp_strict is not carried over");
            return;
        }

        if (sources.FirstOrDefault(s => !s.Config.Strict) is { } lax)
        {
            diagnostics.Warn(lax.Config.File, 0, $"vrrp_strict is set in {Path.GetFileName(strictSource.Config.File)} but not here; the imported config is strict on every node");
        }

        _strict = true;
        _yaml.Value("strict", true, "keepalived vrrp_strict");
    }

    private static string Quoted(string text) => YamlEmitter.Str(text) is var s && s.StartsWith('"') ? s : $"\"{text}\"";
}
