using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CloudCoreLb.Import.Keepalived;

/// <summary>
/// Reads keepalived.conf lines into a <see cref="KeepalivedConfig"/>. Like keepalived, a keyword uses the words it
/// needs and ignores the rest, but here every ignored word, unknown keyword and unsupported feature is a warning.
/// </summary>
internal sealed class KeepalivedParser(ImportDiagnostics diagnostics)
{
    // keepalived features with no cloudcore-lb equivalent, and why an operator should care.
    private static readonly Dictionary<string, string> Unsupported = new(StringComparer.Ordinal)
    {
        ["vrrp_sync_group"] = "sync groups are not supported; each instance fails over on its own",
        ["virtual_server"] = "LVS virtual servers are not supported; use proxy.frontends/backends",
        ["virtual_server_group"] = "LVS virtual servers are not supported; use proxy.frontends/backends",
        ["static_ipaddress"] = "static addresses are not managed by cloudcore-lb",
        ["static_routes"] = "static routes are not managed by cloudcore-lb",
        ["static_rules"] = "static rules are not managed by cloudcore-lb",
        ["vrrp_track_process"] = "process tracking is not supported; use a 'listener' check",
        ["vrrp_track_file"] = "file tracking is not supported",
        ["track_file"] = "file tracking is not supported",
        ["track_process"] = "process tracking is not supported; use a 'listener' check",
        ["track_interface"] = "interface tracking is not supported (the instance interface's link is watched)",
        ["track_bfd"] = "BFD tracking is not supported",
        ["bfd_instance"] = "BFD is not supported",
        ["use_vmac"] = "VMAC interfaces are not supported; the VIP uses the interface's own MAC",
        ["vmac_xmit_base"] = "VMAC interfaces are not supported",
        ["strict_mode"] = "strict mode is not supported",
        ["vrrp_strict"] = "strict mode is not supported",
        ["notify"] = "the generic notify script is not supported; use notify_master/backup/fault/stop (they get the same 4 arguments)",
        ["notify_deleted"] = "notify_deleted is not supported",
        ["notify_master_rx_lower_pri"] = "notify_master_rx_lower_pri is not supported",
        ["vrrp_notify_fifo"] = "notify FIFOs are not supported; notify scripts run in transition order",
        ["notify_fifo"] = "notify FIFOs are not supported; notify scripts run in transition order",
        ["smtp_alert"] = "SMTP alerts are not supported",
        ["notification_email"] = "SMTP alerts are not supported",
        ["notification_email_from"] = "SMTP alerts are not supported",
        ["smtp_server"] = "SMTP alerts are not supported",
        ["smtp_connect_timeout"] = "SMTP alerts are not supported",
        ["virtual_ipaddress_excluded"] = "excluded addresses are not supported",
        ["virtual_routes"] = "virtual routes are not supported",
        ["virtual_rules"] = "virtual rules are not supported",
        ["version"] = "only VRRPv2 is spoken",
        ["vrrp_version"] = "only VRRPv2 is spoken",
        ["vrrp_check_unicast_src"] = "not supported",
        ["vrrp_startup_delay"] = "not supported",
        ["vrrp_garp_interval"] = "not supported",
        ["vrrp_gna_interval"] = "not supported",
        ["garp_interval"] = "not supported",
        ["unicast_ttl"] = "not supported",
        ["dont_track_primary"] = "not supported",
        ["vrrp_skip_check_adv_addr"] = "not supported (adverts with another VIP list are accepted)",
    };

    public KeepalivedConfig Parse(string file, IReadOnlyList<KeepalivedLine> lines)
    {
        var config = new KeepalivedConfig(file);
        foreach (var node in BuildTree(file, lines))
        {
            switch (node.Keyword)
            {
                case "global_defs":
                    if (Block(node) is { } globals)
                    {
                        ReadGlobals(config, globals);
                    }

                    break;
                case "vrrp_script":
                    if (Name(node) is { } scriptName && Block(node) is { } scriptBody)
                    {
                        config.Scripts.Add(ReadScript(new KeepalivedScript(scriptName, node.Line.File, node.Line.Line), scriptBody, config));
                    }

                    break;
                case "vrrp_instance":
                    if (Name(node) is { } instanceName && Block(node) is { } instanceBody)
                    {
                        config.Instances.Add(ReadInstance(new KeepalivedInstance(instanceName, node.Line.File, node.Line.Line), instanceBody));
                    }

                    break;
                default:
                    NotCarried(node);
                    break;
            }
        }

        return config;
    }

    /// <summary>Pairs keyword lines with the <c>{ ... }</c> that follows them (same line or next).</summary>
    internal List<KeepalivedNode> BuildTree(string file, IReadOnlyList<KeepalivedLine> lines)
    {
        var root = new List<KeepalivedNode>();
        var stack = new Stack<(List<KeepalivedNode> List, KeepalivedNode? Owner)>();
        var current = root;
        KeepalivedNode? previous = null;
        foreach (var line in lines)
        {
            if (line.IsOpenBrace)
            {
                var owner = previous is { Children: null } ? previous : null;
                if (owner is null)
                {
                    diagnostics.Warn(line.File, line.Line, "'{' without a keyword before it; the block is skipped");
                }

                var children = new List<KeepalivedNode>();
                if (owner is not null)
                {
                    owner.Children = children;
                }

                stack.Push((current, owner));
                current = children;
                previous = null;
            }
            else if (line.IsCloseBrace)
            {
                if (stack.Count == 0)
                {
                    diagnostics.Warn(line.File, line.Line, "extra '}' ignored (keepalived: \"Extra '}' found\")");
                }
                else
                {
                    current = stack.Pop().List;
                }

                previous = null;
            }
            else
            {
                previous = new KeepalivedNode(line);
                current.Add(previous);
            }
        }

        if (stack.Count > 0)
        {
            var (_, owner) = stack.Last();
            var where = owner is null ? "" : $" ('{ImportDiagnostics.Mask(owner.Line.Words)}' at line {owner.Line.Line})";
            throw new ImportException(owner?.Line.File ?? file, owner?.Line.Line ?? 0, $"a block{where} is never closed with '}}'");
        }

        return root;
    }

    private void ReadGlobals(KeepalivedConfig config, List<KeepalivedNode> body)
    {
        foreach (var node in body)
        {
            switch (node.Keyword)
            {
                case "router_id":
                    config.RouterId = Value(node) ?? config.RouterId;
                    break;
                case "vrrp_mcast_group4":
                    if (Value(node) is { } group)
                    {
                        if (IPAddress.TryParse(group, out var address) && address.AddressFamily == AddressFamily.InterNetwork
                            && address.GetAddressBytes()[0] is >= 224 and <= 239)
                        {
                            config.MulticastGroup = address.ToString();
                        }
                        else
                        {
                            Warn(node, $"vrrp_mcast_group4 {group} is not an IPv4 multicast address; keepalived keeps 224.0.0.18");
                        }
                    }

                    break;
                case "script_user":
                    config.ScriptUser = User(node) ?? config.ScriptUser;
                    break;
                case "enable_script_security":
                    config.EnableScriptSecurity = Flag(node);
                    break;
                default:
                    if (!ReadGarp(node, config.Garp, "vrrp_garp_"))
                    {
                        NotCarried(node);
                    }

                    break;
            }
        }
    }

    private KeepalivedScript ReadScript(KeepalivedScript script, List<KeepalivedNode> body, KeepalivedConfig config)
    {
        foreach (var node in body)
        {
            switch (node.Keyword)
            {
                case "script":
                    script.Script = Command(node, extraAllowed: 0);
                    break;
                case "interval":
                    if (Seconds(node) is { } interval)
                    {
                        if (interval <= TimeSpan.Zero)
                        {
                            Warn(node, "interval 0 is read by keepalived as 1 second");
                            interval = TimeSpan.FromSeconds(1);
                        }

                        script.Interval = interval;
                    }

                    break;
                case "timeout":
                    script.Timeout = Seconds(node) ?? script.Timeout;
                    break;
                case "weight":
                    if (Integer(node, -254, 254, maxArgs: 2) is { } weight)
                    {
                        script.Weight = Math.Clamp(weight, -253, 253);
                        WarnReverse(node);
                    }

                    break;
                case "rise":
                    script.Rise = Integer(node, 1, 100) ?? script.Rise;
                    break;
                case "fall":
                    script.Fall = Integer(node, 1, 100) ?? script.Fall;
                    break;
                case "user":
                    script.User = User(node) ?? script.User;
                    break;
                case "init_fail":
                    script.InitFail = Flag(node);
                    break;
                default:
                    NotCarried(node);
                    break;
            }
        }

        if (script.Script is null)
        {
            // keepalived drops such a script with a log line and every track_script naming it silently tracks nothing.
            diagnostics.Warn(script.File, script.Line, $"vrrp_script {script.Name} has no 'script'; keepalived drops it, so it is not imported");
        }

        script.User ??= config.ScriptUser;
        return script;
    }

    private KeepalivedInstance ReadInstance(KeepalivedInstance instance, List<KeepalivedNode> body)
    {
        foreach (var node in body)
        {
            switch (node.Keyword)
            {
                case "state":
                    if (Value(node) is { } state)
                    {
                        if (state is "MASTER" or "BACKUP")
                        {
                            instance.State = state;
                        }
                        else
                        {
                            Warn(node, $"state '{state}' is not MASTER or BACKUP (exact case); keepalived uses BACKUP");
                            instance.State = "BACKUP";
                        }
                    }

                    break;
                case "interface":
                    instance.Interface = Value(node) ?? instance.Interface;
                    break;
                case "virtual_router_id":
                    instance.VirtualRouterId = Integer(node, 1, 255) ?? instance.VirtualRouterId;
                    break;
                case "priority":
                    instance.Priority = Integer(node, 1, 255) ?? instance.Priority;
                    break;
                case "advert_int":
                    if (Seconds(node) is { } advert)
                    {
                        if (advert.Ticks % TimeSpan.TicksPerSecond != 0 || advert < TimeSpan.FromSeconds(1))
                        {
                            var rounded = TimeSpan.FromSeconds(Math.Clamp(Math.Round(advert.TotalSeconds), 1, 255));
                            Warn(node, $"advert_int {advert.TotalSeconds.ToString(CultureInfo.InvariantCulture)} is not whole seconds; VRRPv2 carries seconds (RFC 3768 §5.3.7), imported as {(int)rounded.TotalSeconds}s");
                            advert = rounded;
                        }

                        instance.AdvertInterval = advert;
                    }

                    break;
                case "authentication":
                    if (Block(node) is { } auth)
                    {
                        ReadAuthentication(instance, auth);
                    }

                    break;
                case "virtual_ipaddress":
                    foreach (var entry in Block(node) ?? [])
                    {
                        ReadVirtualAddress(instance, entry);
                    }

                    break;
                case "track_script":
                    foreach (var entry in Block(node) ?? [])
                    {
                        int? weight = null;
                        var args = entry.Args;
                        if (args is ["weight", var w, ..] && int.TryParse(w, CultureInfo.InvariantCulture, out var parsed) && parsed is >= -254 and <= 254)
                        {
                            weight = Math.Clamp(parsed, -253, 253);
                            args = args.Skip(2).ToArray();
                        }

                        if (args is ["reverse" or "noreverse", ..])
                        {
                            if (args[0] == "reverse")
                            {
                                Warn(entry, "track_script 'reverse' is not supported; the weight is imported unreversed");
                            }

                            args = args.Skip(1).ToArray();
                        }

                        if (args.Count > 0)
                        {
                            Trailing(entry, args);
                        }

                        instance.TrackScripts.Add(new KeepalivedTrackScript(entry.Keyword, weight, entry.Line.Line));
                    }

                    break;
                case "nopreempt":
                    instance.NoPreempt = Flag(node);
                    break;
                case "preempt":
                    instance.NoPreempt = !Flag(node);
                    break;
                case "preempt_delay":
                    instance.PreemptDelay = Seconds(node) ?? instance.PreemptDelay;
                    break;
                case "unicast_src_ip" or "mcast_src_ip":
                    instance.SourceAddress = Address(node) ?? instance.SourceAddress;
                    break;
                case "unicast_peer":
                    foreach (var entry in Block(node) ?? [])
                    {
                        if (IPAddress.TryParse(entry.Keyword, out var peer) && peer.AddressFamily == AddressFamily.InterNetwork)
                        {
                            instance.UnicastPeers.Add(peer.ToString());
                            if (entry.Args.Count > 0)
                            {
                                Warn(entry, $"unicast_peer options '{string.Join(' ', entry.Args)}' are not supported; not carried over");
                            }
                        }
                        else
                        {
                            Warn(entry, $"unicast_peer '{entry.Keyword}' is not an IPv4 address; skipped");
                        }
                    }

                    break;
                case "notify_master" or "notify_backup" or "notify_fault" or "notify_stop":
                    if (Command(node, extraAllowed: 2) is { } command)
                    {
                        instance.Notify[node.Keyword["notify_".Length..]] = command;
                    }

                    break;
                default:
                    if (!ReadGarp(node, instance.Garp, "garp_"))
                    {
                        NotCarried(node);
                    }

                    break;
            }
        }

        if (instance.State == "MASTER" && instance.EffectivePriority != 255)
        {
            // keepalived 2.x (vrrp_init_state): MASTER without priority 255 starts as BACKUP and wins by election.
            diagnostics.Warn(instance.File, instance.Line,
                $"vrrp_instance {instance.Name}: 'state MASTER' with priority {instance.EffectivePriority} is only a start hint (keepalived starts it as BACKUP); the priority decides, so it becomes a comment");
        }

        return instance;
    }

    private void ReadAuthentication(KeepalivedInstance instance, List<KeepalivedNode> body)
    {
        foreach (var node in body)
        {
            switch (node.Keyword)
            {
                case "auth_type":
                    if (Value(node) is { } type)
                    {
                        if (type == "PASS")
                        {
                            instance.AuthType = type;
                        }
                        else
                        {
                            Warn(node, $"auth_type {type} is not supported (only PASS); the instance is imported without authentication");
                            instance.AuthType = null;
                        }
                    }

                    break;
                case "auth_pass":
                    if (node.Args.Count == 0)
                    {
                        Warn(node, "auth_pass without a value; ignored");
                        break;
                    }

                    if (node.Args.Count > 1)
                    {
                        Warn(node, "keepalived ignores the words after 'auth_pass ********'");
                    }

                    var password = node.Args[0];
                    if (Encoding.UTF8.GetByteCount(password) > 8)
                    {
                        // RFC 3768 §5.3.10: 8 bytes on the wire; keepalived truncates silently, peers with the full
                        // string in another tool would disagree. Importing the truncated value keeps the wire identical.
                        Warn(node, "auth_pass ******** is longer than 8 bytes; keepalived silently sends only the first 8, so the first 8 are imported");
                        password = TruncateUtf8(password, 8);
                    }

                    instance.AuthPassword = password;
                    break;
                default:
                    NotCarried(node);
                    break;
            }
        }
    }

    private void ReadVirtualAddress(KeepalivedInstance instance, KeepalivedNode entry)
    {
        var text = entry.Keyword;
        var slash = text.IndexOf('/');
        if (!IPAddress.TryParse(slash < 0 ? text : text[..slash], out var address) || address.AddressFamily != AddressFamily.InterNetwork
            || (slash >= 0 && !(int.TryParse(text[(slash + 1)..], CultureInfo.InvariantCulture, out var prefix) && prefix is >= 0 and <= 32)))
        {
            Warn(entry, $"virtual address '{text}' is not IPv4 a.b.c.d[/len]; skipped");
            return;
        }

        string? device = null;
        string? label = null;
        var args = entry.Args;
        for (var i = 0; i < args.Count; i++)
        {
            var hasValue = i + 1 < args.Count;
            switch (args[i])
            {
                case "dev" when hasValue:
                    device = args[++i];
                    break;
                case "label" when hasValue:
                    label = args[++i];
                    break;
                case "brd" or "scope" or "peer" or "metric" or "preferred_lft" or "valid_lft" when hasValue:
                    Warn(entry, $"virtual address option '{args[i]} {args[i + 1]}' is not supported; not carried over");
                    i++;
                    break;
                default:
                    Warn(entry, $"virtual address option '{args[i]}' is not supported; not carried over");
                    break;
            }
        }

        instance.VirtualAddresses.Add(new KeepalivedVirtualAddress(text, device, label, entry.Line.Line));
    }

    private bool ReadGarp(KeepalivedNode node, KeepalivedGarp garp, string prefix)
    {
        if (!node.Keyword.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        switch (node.Keyword[prefix.Length..])
        {
            case "master_delay":
                garp.MasterDelay = Seconds(node) ?? garp.MasterDelay;
                return true;
            case "master_repeat":
                garp.MasterRepeat = Integer(node, 1, 255) ?? garp.MasterRepeat;
                return true;
            case "master_refresh":
                garp.MasterRefresh = Seconds(node) ?? garp.MasterRefresh;
                return true;
            case "master_refresh_repeat":
                garp.MasterRefreshRepeat = Integer(node, 1, 255) ?? garp.MasterRefreshRepeat;
                return true;
            case "lower_prio_delay":
                garp.LowerPriorityDelay = Seconds(node) ?? garp.LowerPriorityDelay;
                return true;
            case "lower_prio_repeat":
                garp.LowerPriorityRepeat = Integer(node, 0, 255) ?? garp.LowerPriorityRepeat;
                return true;
            default:
                return false;
        }
    }

    private string? Name(KeepalivedNode node)
    {
        var name = Value(node);
        if (name is null)
        {
            Warn(node, $"{node.Keyword} needs a name; block skipped");
        }

        return name;
    }

    private List<KeepalivedNode>? Block(KeepalivedNode node)
    {
        if (node.Children is null)
        {
            Warn(node, $"'{node.Keyword}' needs a '{{' block (keepalived: \"Missing '{{'\"); skipped");
        }

        return node.Children;
    }

    /// <summary>The keyword's single argument; anything after it is what keepalived silently ignores.</summary>
    private string? Value(KeepalivedNode node, int maxArgs = 1)
    {
        var args = node.Args;
        if (args.Count == 0)
        {
            Warn(node, $"'{node.Keyword}' needs a value; ignored");
            return null;
        }

        if (args.Count > maxArgs)
        {
            Trailing(node, args.Skip(maxArgs));
        }

        return args[0];
    }

    private void Trailing(KeepalivedNode node, IEnumerable<string> ignored) =>
        Warn(node, $"keepalived ignores '{ImportDiagnostics.Mask(ignored)}' after '{ImportDiagnostics.Mask(node.Line.Words.Take(node.Line.Words.Count - ignored.Count()))}'; one keyword per line, so it is not imported either");

    private int? Integer(KeepalivedNode node, int min, int max, int maxArgs = 1)
    {
        if (Value(node, maxArgs) is not { } text)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Warn(node, $"{node.Keyword} '{text}' is not a number in {min}..{max}; ignored");
        return null;
    }

    private TimeSpan? Seconds(KeepalivedNode node)
    {
        if (Value(node) is not { } text)
        {
            return null;
        }

        // keepalived timers are decimal seconds with microsecond resolution.
        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds < 100_000)
        {
            return TimeSpan.FromTicks((long)decimal.Round(seconds * TimeSpan.TicksPerSecond / 10) * 10);
        }

        Warn(node, $"{node.Keyword} '{text}' is not a number of seconds; ignored");
        return null;
    }

    private string? Address(KeepalivedNode node)
    {
        if (Value(node) is not { } text)
        {
            return null;
        }

        if (IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetwork)
        {
            return address.ToString();
        }

        Warn(node, $"{node.Keyword} '{text}' is not an IPv4 address; ignored");
        return null;
    }

    private string? User(KeepalivedNode node)
    {
        if (node.Args.Count == 0)
        {
            Warn(node, $"'{node.Keyword}' needs a user name; ignored");
            return null;
        }

        if (node.Args.Count > 2)
        {
            Trailing(node, node.Args.Skip(2));
        }

        return node.Args.Count >= 2 ? $"{node.Args[0]}:{node.Args[1]}" : node.Args[0];
    }

    /// <summary>A flag alone means true; keepalived also accepts on/off, true/false, yes/no.</summary>
    private bool Flag(KeepalivedNode node)
    {
        if (node.Args.Count == 0)
        {
            return true;
        }

        if (node.Args.Count > 1)
        {
            Trailing(node, node.Args.Skip(1));
        }

        switch (node.Args[0].ToLowerInvariant())
        {
            case "on" or "true" or "yes":
                return true;
            case "off" or "false" or "no":
                return false;
            default:
                Trailing(node, node.Args.Take(1));
                return true;
        }
    }

    /// <summary>
    /// <c>script</c> and <c>notify_*</c>: keepalived re-reads the raw line where double and single quotes group and
    /// adjacent quoted parts join; word 1 is the command line. notify_* may add <c>user [group]</c>.
    /// </summary>
    private string? Command(KeepalivedNode node, int extraAllowed)
    {
        var words = SplitShellWords(node.Line.Raw);
        if (words.Count < 2)
        {
            Warn(node, $"'{node.Keyword}' needs a command; ignored");
            return null;
        }

        if (words.Count > 2)
        {
            var extra = words.Skip(2).ToList();
            if (extraAllowed > 0 && extra.Count <= extraAllowed)
            {
                Warn(node, $"{node.Keyword} run-as user '{string.Join(' ', extra)}' is not supported; the command runs as the daemon's user");
            }
            else
            {
                Trailing(node, extra);
            }
        }

        return words[1];
    }

    internal static List<string> SplitShellWords(string raw)
    {
        var words = new WordAccumulator();
        char quote = '\0';
        foreach (var c in raw)
        {
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    words.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                words.StartWord();
            }
            else if (char.IsWhiteSpace(c))
            {
                words.Flush();
            }
            else
            {
                words.Append(c);
            }
        }

        return words.Finish();
    }

    private void WarnReverse(KeepalivedNode node)
    {
        if (node.Args.Count > 1 && node.Args[1] == "reverse")
        {
            Warn(node, "'reverse' weights are not supported; the weight is imported unreversed");
        }
    }

    private void NotCarried(KeepalivedNode node)
    {
        var message = Unsupported.TryGetValue(node.Keyword, out var why)
            ? $"'{node.Keyword}' is not carried over: {why}"
            : $"unknown keyword '{node.Keyword}' (keepalived skips it with only a log line); not carried over";
        Warn(node, message);
    }

    private void Warn(KeepalivedNode node, string message) => diagnostics.Warn(node.Line.File, node.Line.Line, message);

    private static string TruncateUtf8(string text, int bytes)
    {
        var length = text.Length;
        while (Encoding.UTF8.GetByteCount(text.AsSpan(0, length)) > bytes)
        {
            length--;
        }

        return text[..length];
    }
}
