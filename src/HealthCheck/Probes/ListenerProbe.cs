using System.Net;

namespace CloudCoreLb.HealthCheck.Probes;

/// <summary>
/// Is a TCP socket in LISTEN state on a port of this host? Read from the kernel's <c>/proc/net/tcp</c> and
/// <c>/proc/net/tcp6</c>, which show the network namespace of the reading process, i.e. the daemon's own. The native
/// replacement for the seed's <c>netstat -nlp | grep 10000</c> (docs/design/kubeedge.md §4), without its substring bug or a fork
/// per check, so 200 ms intervals are cheap.
/// </summary>
/// <remarks>
/// <para>
/// The kernel lists the listening hash before the established one (<c>tcp_seq_start</c>: LISTENING then
/// ESTABLISHED), so reading stops at the first non-LISTEN line: a host holding 200 000 edge connections does not make
/// each check read 30 MB of text.
/// </para>
/// <para>
/// The scan runs to its end synchronously and ignores cancellation: it waits on nothing but a procfs read the kernel
/// answers from memory, so the loop's timeout (the interval by default) could only ever measure how long the daemon
/// itself was not scheduled. On a loaded master that was a TIMEOUT while CloudCore listened, and with weight 0 a
/// FAULT that moved the VIP off a healthy node and back.
/// </para>
/// </remarks>
public sealed class ListenerProbe : IHealthProbe
{
    private static readonly string[] Tables = ["tcp", "tcp6"];
    private readonly string _procNetDirectory;
    private readonly int[] _ports;

    /// <summary>Creates a probe for one port.</summary>
    /// <param name="port">TCP port, 1-65535.</param>
    /// <param name="address">Local address the listener must accept; null = any (a wildcard bind always matches).</param>
    /// <param name="procNetDirectory">Where <c>tcp</c>/<c>tcp6</c> live. <remarks>Defaults to <c>/proc/net</c>.</remarks></param>
    public ListenerProbe(int port, IPAddress? address = null, string procNetDirectory = "/proc/net")
        : this([port], address, procNetDirectory)
    {
    }

    /// <summary>Creates a probe that passes only when every port in <paramref name="ports"/> has a listener.</summary>
    /// <param name="ports">TCP ports, 1-65535, at least one.</param>
    /// <param name="address">Local address the listeners must accept; null = any.</param>
    /// <param name="procNetDirectory">Where <c>tcp</c>/<c>tcp6</c> live. <remarks>Defaults to <c>/proc/net</c>.</remarks></param>
    public ListenerProbe(IReadOnlyCollection<int> ports, IPAddress? address = null, string procNetDirectory = "/proc/net")
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentOutOfRangeException.ThrowIfZero(ports.Count);
        foreach (var port in ports)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        }

        _ports = [.. ports.Distinct()];
        Address = address;
        _procNetDirectory = procNetDirectory;
        var host = address is null ? "*" : address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        Description = $"listen {host}:{string.Join(',', _ports)}";
    }

    /// <summary>The ports checked.</summary>
    public IReadOnlyList<int> Ports => _ports;

    /// <summary>The local address required, or null for any.</summary>
    public IPAddress? Address { get; }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    /// <remarks>Completes synchronously and never observes <paramref name="cancellationToken"/> (see the class remarks).</remarks>
    public ValueTask<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var found = new bool[_ports.Length];
        var missing = _ports.Length;
        foreach (var table in Tables)
        {
            missing = ScanTable(Path.Combine(_procNetDirectory, table), found, missing);
            if (missing == 0)
            {
                return ValueTask.FromResult(ProbeResult.Ok("LISTEN"));
            }
        }

        var absent = _ports.Where((_, i) => !found[i]);
        return ValueTask.FromResult(ProbeResult.Fail("NOLISTEN", $"nothing listening on port {string.Join(',', absent)}"));
    }

    private int ScanTable(string path, bool[] found, int missing)
    {
        StreamReader reader;
        try
        {
            reader = new StreamReader(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return missing; // no IPv6 in this kernel / namespace
        }

        using (reader)
        {
            while (missing > 0 && reader.ReadLine() is { } line)
            {
                if (!ProcNetTcpParser.TryParseLine(line, out var entry))
                {
                    continue; // the header
                }

                if (!entry.IsListening)
                {
                    break; // listeners come first; see the remarks
                }

                for (var i = 0; i < _ports.Length; i++)
                {
                    if (!found[i] && ProcNetTcpParser.Matches(entry, _ports[i], Address))
                    {
                        found[i] = true;
                        missing--;
                    }
                }
            }
        }

        return missing;
    }
}
