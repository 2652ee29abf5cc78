namespace CloudCoreLb.L4Proxy.Balancing;

/// <summary>
/// haproxy's weighted map (<c>src/lb_map.c</c>, <c>recalc_server_map</c>; docs/design/l4proxy.md §1.2): weights are divided by
/// the backend's GCD; for each slot every usable server adds its weight to a running score, the highest
/// <c>(score + total) / total</c> wins (ties: first declared) and pays <c>total</c>. Equal weights give declaration
/// order, so three equal servers map to [s1, s2, s3].
/// </summary>
internal static class WeightedMap
{
    /// <summary>GCD of all non-zero server weights of a backend (1 when none).</summary>
    public static int WeightDivisor(ProxyServer[] servers)
    {
        var gcd = 0;
        foreach (var server in servers)
        {
            if (server.Weight > 0)
            {
                gcd = Gcd(gcd, server.Weight);
            }
        }

        return gcd == 0 ? 1 : gcd;
    }

    /// <summary>
    /// Builds the map over the usable active servers, or over the first usable backup when none is. Returns an empty
    /// array when nothing is usable. Runs only on state changes.
    /// </summary>
    public static ProxyServer[] Build(ProxyServer[] servers, int divisor)
    {
        var usable = new List<ProxyServer>(servers.Length);
        foreach (var server in servers)
        {
            if (!server.Backup && server.Weight > 0 && server.IsUsable)
            {
                usable.Add(server);
            }
        }

        if (usable.Count == 0 && BackupSelector.FirstUsableBackup(servers, 0) is { Weight: > 0 } backup)
        {
            usable.Add(backup);
        }

        var total = 0;
        var weights = new int[usable.Count];
        for (var i = 0; i < usable.Count; i++)
        {
            // ceil(uweight * wdiv / wmult) with wdiv 1 and wmult the GCD.
            weights[i] = (usable[i].Weight + divisor - 1) / divisor;
            total += weights[i];
        }

        var map = new ProxyServer[total];
        var scores = new int[usable.Count];
        for (var slot = 0; slot < total; slot++)
        {
            var best = -1;
            var max = 0;
            for (var i = 0; i < usable.Count; i++)
            {
                scores[i] += weights[i];
                var v = (scores[i] + total) / total;
                if (best < 0 || v > max)
                {
                    max = v;
                    best = i;
                }
            }

            map[slot] = usable[best];
            scores[best] -= total;
        }

        return map;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    /// <summary>
    /// The first usable server not in <paramref name="excluded"/>, scanning <paramref name="map"/> from
    /// <paramref name="start"/> and wrapping: how map-based source hashing and round robin step past a dead or
    /// already-tried server (haproxy's map ignores the tried server; we skip it so a redispatch really moves).
    /// </summary>
    public static ProxyServer? FirstUsable(ProxyServer[] map, int start, ulong excluded)
    {
        for (var i = 0; i < map.Length; i++)
        {
            var server = map[(start + i) % map.Length];
            if ((excluded & server.Bit) == 0 && server.IsUsable)
            {
                return server;
            }
        }

        return null;
    }
}
