using System.Net;

namespace CloudCoreLb.HealthCheck.Probes;

/// <summary>
/// Is a TCP socket in LISTEN state on a port of this host? Read from the kernel's <c>/proc/net/tcp</c> and
/// <c>/proc/net/tcp6</c>, which show the network namespace of the reading process, i.e. the daemon's own. The native
/// replacement for the seed's <c>netstat -nlp | grep 10000</c> (kubeedge.md §4), without its substring bug or a fork
/// per check, so 200 ms intervals are cheap.
/// </summary>
/// <remarks>
/// The kernel lists the listening hash before the established one (<c>tcp_seq_start</c>: LISTENING then
/// ESTABLISHED), so reading stops at the first non-LISTEN line: a host holding 200 000 edge connections does not make
/// each check read 30 MB of text.
/// </remarks>
public sealed class ListenerProbe : IHealthProbe
{
    private static readonly string[] Tables = ["tcp", "tcp6"];
    private readonly string _procNetDirectory;

    /// <summary>Creates a probe.</summary>
    /// <param name="port">TCP port, 1-65535.</param>
    /// <param name="address">Local address the listener must accept; null = any (a wildcard bind always matches).</param>
    /// <param name="procNetDirectory">Where <c>tcp</c>/<c>tcp6</c> live. <remarks>Defaults to <c>/proc/net</c>.</remarks></param>
    public ListenerProbe(int port, IPAddress? address = null, string procNetDirectory = "/proc/net")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        Port = port;
        Address = address;
        _procNetDirectory = procNetDirectory;
        Description = address is null ? $"listen *:{port}" : $"listen {new IPEndPoint(address, port)}";
    }

    /// <summary>The port checked.</summary>
    public int Port { get; }

    /// <summary>The local address required, or null for any.</summary>
    public IPAddress? Address { get; }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public async ValueTask<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        foreach (var table in Tables)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await TableHasListenerAsync(Path.Combine(_procNetDirectory, table), cancellationToken).ConfigureAwait(false))
            {
                return ProbeResult.Ok("LISTEN");
            }
        }

        return ProbeResult.Fail("NOLISTEN", $"no socket listening on {Description["listen ".Length..]}");
    }

    private async ValueTask<bool> TableHasListenerAsync(string path, CancellationToken cancellationToken)
    {
        StreamReader reader;
        try
        {
            reader = new StreamReader(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false; // no IPv6 in this kernel / namespace
        }

        using (reader)
        {
            var header = true;
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (header)
                {
                    header = false;
                    continue;
                }

                if (!ProcNetTcpParser.TryParseLine(line, out var entry))
                {
                    continue;
                }

                if (!entry.IsListening)
                {
                    return false; // listeners come first; see the remarks
                }

                if (ProcNetTcpParser.Matches(entry, Port, Address))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
