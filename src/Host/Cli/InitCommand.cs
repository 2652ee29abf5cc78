using System.CommandLine;
using CloudCoreLb.Host.Configuration;

namespace CloudCoreLb.Host.Cli;

/// <summary>
/// <c>cloudcore-lb init --masters IP,IP,IP --vip ADDR/LEN --interface IF [--names ...] [--output FILE]</c>: writes
/// the KubeEdge HA setup as one config file and checks it for every master.
/// </summary>
internal static class InitCommand
{
    public static Command Create()
    {
        var masters = new Option<string?>("--masters") { Description = "Every master's address, comma-separated, highest priority first (e.g. 10.10.102.11,10.10.102.12,10.10.102.13)" };
        var vip = new Option<string?>("--vip") { Description = "The virtual address with its prefix length (e.g. 10.10.102.242/24)" };
        var iface = new Option<string?>("--interface") { Description = "The interface VRRP runs on, the same on every master (e.g. eth0)" };
        var names = new Option<string?>("--names") { Description = "Each master's host name, in --masters order: nodes are keyed by them (default: by address, and each master runs with --node ITS_ADDRESS)" };
        var vrid = new Option<int?>("--vrid") { Description = $"VRRP virtual router id (default {InitArguments.DefaultVirtualRouterId}, the KubeEdge guide's)" };
        var password = new Option<string?>("--password") { Description = "VRRP PASS authentication secret, up to 8 bytes (default: 8 random characters)" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the file here (mode 0640) instead of standard output; an existing file is kept unless --force" };
        var force = new Option<bool>("--force") { Description = "Overwrite --output if it exists" };
        var command = new Command("init", "Write the KubeEdge CloudCore HA setup (VIP, four TCP frontends to every master's CloudCore, proxy-can-serve tracking) as one config file for every master, and check it.")
        {
            masters, vip, iface, names, vrid, password, output, force,
        };
        command.SetAction(p => Execute(
            p.GetValue(masters), p.GetValue(names), p.GetValue(vip), p.GetValue(iface), p.GetValue(vrid), p.GetValue(password),
            p.GetValue(output), p.GetValue(force), Console.Out, Console.Error));
        return command;
    }

    /// <returns>0 written and valid for every master; 1 bad arguments or the file cannot be written; 2 written but rejected by the check.</returns>
    public static int Execute(string? masters, string? names, string? vip, string? interfaceName, int? vrid, string? password,
        string? outputFile, bool force, TextWriter stdout, TextWriter stderr)
    {
        var (arguments, errors) = InitArguments.Parse(masters, names, vip, interfaceName, vrid, password);
        if (arguments is null)
        {
            foreach (var error in errors)
            {
                stderr.WriteLine($"init: {error}");
            }

            return 1;
        }

        var yaml = SeedConfigWriter.Write(arguments);
        var file = outputFile ?? "(standard output)";
        if (outputFile is null)
        {
            stdout.Write(yaml);
        }
        else
        {
            try
            {
                using var stream = new FileStream(outputFile, new FileStreamOptions
                {
                    Mode = force ? FileMode.Create : FileMode.CreateNew,
                    Access = FileAccess.Write,
                    // It holds the VRRP password: not for every local user.
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
                });
                using var writer = new StreamWriter(stream);
                writer.Write(yaml);
            }
            catch (IOException ex) when (!force && File.Exists(outputFile))
            {
                stderr.WriteLine($"init: {outputFile} exists; give --force to overwrite it ({ex.Message})");
                return 1;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"init: cannot write {outputFile}: {ex.Message}");
                return 1;
            }

            stderr.WriteLine($"init: wrote {outputFile}");
        }

        // The check every master's ExecStartPre will run, once per node of the file.
        var rejected = 0;
        foreach (var node in arguments.NodeKeys)
        {
            try
            {
                var config = ConfigLoader.Parse(yaml, file, node);
                stderr.WriteLine($"check: valid for node '{node}' (priority {config.VrrpInstances[0].Options.Priority})");
            }
            catch (ConfigException ex)
            {
                rejected++;
                foreach (var error in ex.Errors)
                {
                    stderr.WriteLine($"check: node '{node}': {error}");
                }
            }
        }

        return rejected == 0 ? 0 : 2;
    }
}
