namespace CloudCoreLb.Import.Keepalived;

/// <summary><c>vrrp_script</c> blocks.</summary>
internal sealed partial class KeepalivedParser
{
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

    private void WarnReverse(KeepalivedNode node)
    {
        if (node.Args.Count > 1 && node.Args[1] == "reverse")
        {
            Warn(node, "'reverse' weights are not supported; the weight is imported unreversed");
        }
    }
}
