using CloudCoreLb.Host.Configuration;

namespace CloudCoreLb.Host.Cli;

/// <summary><c>cloudcore-lb check</c>: validates a file without touching the network.</summary>
internal static class CheckCommand
{
    public static int Execute(string path, string? node, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            var config = ConfigLoader.Load(path, node);
            stdout.WriteLine($"{path}: configuration is valid ({config.VrrpInstances.Count} VRRP instance(s), node '{config.NodeName}')");
            return 0;
        }
        catch (ConfigException ex)
        {
            foreach (var error in ex.Errors)
            {
                stderr.WriteLine(error);
            }

            stderr.WriteLine($"{path}: {ex.Errors.Count} error(s); configuration rejected");
            return 1;
        }
    }
}
