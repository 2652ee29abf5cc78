using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Hosting;

/// <summary>
/// The instances an operator holds (<c>vrrp hold</c>, or <c>vrrp handover</c> which ends held), written to
/// <c>held</c> in the service's state directory (systemd's <c>StateDirectory=</c>, <c>/var/lib/cloudcore-lb</c>), so a
/// node taken out for maintenance stays out through a restart, a crash or a reboot until <c>vrrp release</c>.
/// Without a state directory (the daemon not run by the unit) a hold lasts as long as the process and its successors.
/// </summary>
internal sealed class HeldInstances
{
    private const string FileName = "held";
    private readonly object _gate = new();
    private readonly ILogger _logger;
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);

    /// <summary>Reads the file in <paramref name="directory"/>, if there is one; an unreadable file holds nothing.</summary>
    public HeldInstances(string? directory, ILogger<HeldInstances> logger)
    {
        _logger = logger;
        Path = directory is null ? null : System.IO.Path.Combine(directory, FileName);
        if (Path is not null && File.Exists(Path))
        {
            try
            {
                _held.UnionWith(File.ReadAllLines(Path).Select(l => l.Trim()).Where(l => l.Length > 0));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                HostLog.HeldFileFailed(_logger, Path, ex);
            }
        }
    }

    /// <summary>From systemd's <c>STATE_DIRECTORY</c> (the first one when the unit names several).</summary>
    public static HeldInstances FromEnvironment(ILogger<HeldInstances> logger) =>
        new(Environment.GetEnvironmentVariable("STATE_DIRECTORY") is { Length: > 0 } dirs ? dirs.Split(':')[0] : null, logger);

    /// <summary>The file, or null when holds are not kept across restarts.</summary>
    public string? Path { get; }

    /// <summary>Whether <paramref name="instance"/> was held when the file was last written.</summary>
    public bool Contains(string instance)
    {
        lock (_gate)
        {
            return _held.Contains(instance);
        }
    }

    /// <summary>Records that <paramref name="instance"/> is held or released; a failed write is logged, not thrown.</summary>
    public void Record(string instance, bool held)
    {
        lock (_gate)
        {
            if (!(held ? _held.Add(instance) : _held.Remove(instance)) || Path is null)
            {
                return;
            }

            try
            {
                // Written aside and renamed: a crash mid-write leaves the old list, never half of one.
                var temporary = Path + ".new";
                File.WriteAllLines(temporary, _held.Order(StringComparer.Ordinal));
                File.Move(temporary, Path, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                HostLog.HeldFileFailed(_logger, Path, ex);
            }
        }
    }
}
