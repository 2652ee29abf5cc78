using System.Globalization;
using CloudCoreLb.HealthCheck.Probes;
using CloudCoreLb.Import.Keepalived;

namespace CloudCoreLb.Import.Conversion;

/// <summary>The <c>checks:</c> section: one check per usable <c>vrrp_script</c>, <c>exec</c> unless it is a connect test.</summary>
internal sealed partial class ImportConverter
{
    private void WriteChecks(List<ImportSource> sources)
    {
        var scripts = new List<KeepalivedScript>();
        foreach (var script in sources.SelectMany(s => s.Config.Scripts).Where(s => s.Script is not null))
        {
            if (scripts.FirstOrDefault(s => s.Name == script.Name) is { } known)
            {
                if (known with { } != script with { File = known.File, Line = known.Line })
                {
                    diagnostics.Warn(script.File, script.Line, $"vrrp_script {script.Name} differs from {Path.GetFileName(known.File)}:{known.Line}; the first file's version is used");
                }

                continue;
            }

            scripts.Add(script);
        }

        if (scripts.Count == 0)
        {
            return;
        }

        using var checks = _yaml.Block("checks");
        foreach (var script in scripts)
        {
            var argv = ScriptCommandLine.Split(script.Script!);
            if (ScriptAdvisor.ConnectTarget(argv) is { } target)
            {
                diagnostics.Note(script.File, script.Line, $"vrrp_script {script.Name}: '{script.Script}' is a connect test; imported as the native tcp check on {target}");
                using var tcp = _yaml.Block(YamlEmitter.Str(script.Name), $"keepalived script {YamlEmitter.Str(script.Script!)}: a connect test, here without a process");
                _yaml.Value("type", "tcp");
                _yaml.Value("address", YamlEmitter.Str(target));
                WriteCheckTiming(script);
                continue;
            }

            var (commandLine, comment) = ResolveCommand(script.Script!, script.File, script.Line, $"vrrp_script {script.Name}");
            SuggestListenerCheck(script, ScriptCommandLine.Split(commandLine)[0]);
            using var check = _yaml.Block(YamlEmitter.Str(script.Name));
            _yaml.Value("type", "exec");
            _yaml.Value("script", YamlEmitter.Str(commandLine), comment);
            WriteCheckTiming(script);
            if (script.User is { } user)
            {
                _yaml.Value("user", YamlEmitter.Str(user));
            }
        }
    }

    private void WriteCheckTiming(KeepalivedScript script)
    {
        _yaml.Value("interval", Duration(script.Interval));
        if (script.Timeout is { } timeout)
        {
            _yaml.Value("timeout", Duration(timeout));
        }

        _yaml.Value("rise", script.Rise);
        _yaml.Value("fall", script.Fall);
        _yaml.Value("weight", script.Weight);
        if (script.InitFail)
        {
            _yaml.Value("initial_state", "failed", "keepalived init_fail");
        }
    }

    private void SuggestListenerCheck(KeepalivedScript script, string path)
    {
        if (options.ReadScript(path) is not { } text)
        {
            return;
        }

        var ports = ScriptAdvisor.GreppedListenerPorts(text);
        if (ports.Count == 0)
        {
            return;
        }

        var portList = string.Join(", ", ports);
        diagnostics.Warn(script.File, script.Line,
            $"vrrp_script {script.Name}: {Path.GetFileName(path)} greps netstat/ss output for {portList}, which also matches longer numbers (100001) and remote ports; consider the native 'listener' check suggested in the output");
        _yaml.Comment($"Suggestion: {Path.GetFileName(path)} greps netstat for {portList}; grep also matches 100001, addresses and");
        _yaml.Comment("remote ports. The native check reads the kernel's listen table for the exact port and needs no script:");
        foreach (var port in ports)
        {
            var name = ports.Count == 1 ? script.Name : $"{script.Name}_{port}";
            var values = new List<(string, string)>
            {
                ("type", "listener"),
                ("port", port.ToString(CultureInfo.InvariantCulture)),
                ("interval", Duration(script.Interval)),
                ("rise", script.Rise.ToString(CultureInfo.InvariantCulture)),
                ("fall", script.Fall.ToString(CultureInfo.InvariantCulture)),
                ("weight", script.Weight.ToString(CultureInfo.InvariantCulture)),
            };
            _yaml.Comment($"  {name}: {YamlEmitter.Flow(values)}");
        }
    }
}
