using System.Net.Sockets;

namespace CloudCoreLb.L4Proxy.Options;

/// <summary>Checks a <see cref="ProxyOptions"/> before it is applied; every problem is reported, not just the first.</summary>
public static class ProxyOptionsValidator
{
    /// <summary>The most servers a backend may hold (the redispatch "already tried" set is a 64-bit mask).</summary>
    public const int MaxServersPerBackend = 64;

    /// <summary>Returns every problem found; empty when the options are usable.</summary>
    public static IReadOnlyList<string> Validate(ProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.Threads is < 0 or > 64)
        {
            errors.Add($"Threads must be 0 (one per CPU) to 64 (got {options.Threads}).");
        }

        if (options.MaxConnections < 1)
        {
            errors.Add($"MaxConnections must be at least 1 (got {options.MaxConnections}).");
        }

        if (options.StopGracePeriod < TimeSpan.Zero)
        {
            errors.Add("StopGracePeriod must not be negative.");
        }

        var backends = new HashSet<string>(StringComparer.Ordinal);
        foreach (var backend in options.Backends)
        {
            ValidateBackend(backend, options.GroupServersByHost, errors);
            if (!string.IsNullOrEmpty(backend.Name) && !backends.Add(backend.Name))
            {
                errors.Add($"Backend name '{backend.Name}' is used twice.");
            }
        }

        var frontends = new HashSet<string>(StringComparer.Ordinal);
        var binds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var frontend in options.Frontends)
        {
            var where = $"Frontend '{frontend.Name}'";
            if (string.IsNullOrWhiteSpace(frontend.Name))
            {
                errors.Add("A frontend has no Name.");
            }
            else if (!frontends.Add(frontend.Name))
            {
                errors.Add($"Frontend name '{frontend.Name}' is used twice.");
            }

            if (frontend.Bind is null)
            {
                errors.Add($"{where}: Bind is required.");
            }
            else if (frontend.Bind.Port != 0 && !binds.Add($"{frontend.Protocol}/{frontend.Bind}"))
            {
                errors.Add($"{where}: Bind {frontend.Bind} is used by another frontend.");
            }

            if (frontend.MaxConnections < 1)
            {
                errors.Add($"{where}: MaxConnections must be at least 1.");
            }

            if (frontend.Backlog is < 1)
            {
                errors.Add($"{where}: Backlog must be at least 1.");
            }

            Positive(frontend.ClientTimeout, $"{where}: ClientTimeout", errors);
            if (frontend.ClientFinTimeout is { } fin)
            {
                Positive(fin, $"{where}: ClientFinTimeout", errors);
            }

            if (string.IsNullOrEmpty(frontend.Backend))
            {
                errors.Add($"{where}: Backend is required.");
            }
            else if (!backends.Contains(frontend.Backend))
            {
                errors.Add($"{where}: Backend '{frontend.Backend}' does not exist.");
            }
        }

        UdpOptionsValidator.Validate(options, errors);
        return errors;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem.</summary>
    public static void ThrowIfInvalid(ProxyOptions options)
    {
        var errors = Validate(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid proxy options:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", errors), nameof(options));
        }
    }

    private static void ValidateBackend(BackendOptions backend, bool groupByHost, List<string> errors)
    {
        var where = $"Backend '{backend.Name}'";
        if (string.IsNullOrWhiteSpace(backend.Name))
        {
            errors.Add("A backend has no Name.");
        }

        if (backend.Servers.Count == 0)
        {
            errors.Add($"{where}: at least one server is required.");
        }

        if (backend.Servers.Count > MaxServersPerBackend)
        {
            errors.Add($"{where}: at most {MaxServersPerBackend} servers are supported (got {backend.Servers.Count}).");
        }

        if (backend.Retries is < 0 or > 100)
        {
            errors.Add($"{where}: Retries must be in 0-100.");
        }

        Positive(backend.ConnectTimeout, $"{where}: ConnectTimeout", errors);
        Positive(backend.ServerTimeout, $"{where}: ServerTimeout", errors);
        if (backend.TunnelTimeout is { } tunnel)
        {
            Positive(tunnel, $"{where}: TunnelTimeout", errors);
        }

        if (backend.ServerFinTimeout is { } fin)
        {
            Positive(fin, $"{where}: ServerFinTimeout", errors);
        }

        ValidateHealth(backend.Health.Inter, backend.Health.FastInter, backend.Health.DownInter, backend.Health.Rise, backend.Health.Fall, where, errors);
        if (backend.Health.Timeout is { } timeout)
        {
            Positive(timeout, $"{where}: Health.Timeout", errors);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var hosts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var server in backend.Servers)
        {
            var at = $"{where} server '{server.Name}'";
            if (string.IsNullOrWhiteSpace(server.Name))
            {
                errors.Add($"{where}: a server has no Name.");
            }
            else if (!names.Add(server.Name))
            {
                errors.Add($"{where}: server name '{server.Name}' is used twice.");
            }

            if (server.EndPoint is null)
            {
                errors.Add($"{at}: EndPoint is required.");
            }
            else
            {
                if (server.EndPoint.Port == 0)
                {
                    errors.Add($"{at}: EndPoint needs a port.");
                }

                if (server.EndPoint.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
                {
                    errors.Add($"{at}: EndPoint must be IPv4 or IPv6.");
                }

                // Grouping by host makes the host address the server's identity; two servers of one backend on the
                // same host would be indistinguishable to the hash.
                if (groupByHost && server.HashKey is null && !hosts.Add(server.EndPoint.Address.ToString()))
                {
                    errors.Add($"{at}: another server of this backend has host {server.EndPoint.Address}; one host, one server per backend (consistent hashing groups by host): set proxy.group_servers_by_host: false to hash each server on its own (HashKey in the API).");
                }
            }

            if (server.Weight is < 0 or > 256)
            {
                errors.Add($"{at}: Weight must be in 0-256.");
            }

            ValidateHealth(server.Inter ?? backend.Health.Inter, server.FastInter, server.DownInter, server.Rise ?? backend.Health.Rise, server.Fall ?? backend.Health.Fall, at, errors);
        }
    }

    private static void ValidateHealth(TimeSpan inter, TimeSpan? fast, TimeSpan? down, int rise, int fall, string where, List<string> errors)
    {
        Positive(inter, $"{where}: Inter", errors);
        if (fast is { } f)
        {
            Positive(f, $"{where}: FastInter", errors);
        }

        if (down is { } d)
        {
            Positive(d, $"{where}: DownInter", errors);
        }

        if (rise < 1)
        {
            errors.Add($"{where}: Rise must be at least 1.");
        }

        if (fall < 1)
        {
            errors.Add($"{where}: Fall must be at least 1.");
        }
    }

    private static void Positive(TimeSpan value, string what, List<string> errors)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{what} must be positive (got {value}).");
        }
    }
}
