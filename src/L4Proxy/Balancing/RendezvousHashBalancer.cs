namespace CloudCoreLb.L4Proxy.Balancing;

/// <summary>
/// Consistent source hashing by weighted rendezvous hashing (HRW, Thaler and Ravishankar 1998): every server gets a
/// score <c>Mix64(hash(client IP) ^ hash(server identity))</c> and the highest usable one wins. The identity is the
/// host address (or <see cref="Options.ServerOptions.HashKey"/>), not the declaration position, so any process with
/// the same server set agrees, even with a different server order. When a server goes down only its clients move
/// (each to its own next-best server) and they return when it comes back; the redispatch order is simply the
/// client's score order. Weighted servers use the logarithmic method (score = -ln(u) / w, lowest wins), which keeps
/// those properties; equal weights compare integers only.
/// </summary>
internal sealed class RendezvousHashBalancer : ILoadBalancer
{
    private readonly ProxyServer[] _servers;
    private readonly bool _uniformWeights;

    public RendezvousHashBalancer(ProxyServer[] servers)
    {
        _servers = servers;
        var weight = -1;
        _uniformWeights = true;
        foreach (var server in servers)
        {
            if (server.Backup || server.Weight == 0)
            {
                continue;
            }

            if (weight >= 0 && weight != server.Weight)
            {
                _uniformWeights = false;
            }

            weight = server.Weight;
        }
    }

    public ProxyServer? Pick(in ClientKey client, ulong excluded)
    {
        var best = _uniformWeights ? PickUniform(client.Hash64, excluded) : PickWeighted(client.Hash64, excluded);
        return best ?? BackupSelector.FirstUsableBackup(_servers, excluded);
    }

    public void Rebuild()
    {
        // State is read live.
    }

    private ProxyServer? PickUniform(ulong client, ulong excluded)
    {
        ProxyServer? best = null;
        ulong bestScore = 0;
        foreach (var server in _servers)
        {
            if (server.Backup || server.Weight == 0 || (excluded & server.Bit) != 0 || !server.IsUsable)
            {
                continue;
            }

            var score = HashMix.Score(client, server.IdentityHash);
            if (best is null || score > bestScore)
            {
                best = server;
                bestScore = score;
            }
        }

        return best;
    }

    private ProxyServer? PickWeighted(ulong client, ulong excluded)
    {
        ProxyServer? best = null;
        var bestScore = double.PositiveInfinity;
        foreach (var server in _servers)
        {
            if (server.Backup || server.Weight == 0 || (excluded & server.Bit) != 0 || !server.IsUsable)
            {
                continue;
            }

            // u in (0, 1]: 53 high bits of the score; -ln(u) is Exp(1)-distributed, divided by the weight it is
            // Exp(w), and the minimum of independent exponentials picks server i with probability w_i / sum(w).
            var u = ((HashMix.Score(client, server.IdentityHash) >> 11) + 1) * (1.0 / (1UL << 53));
            var score = -Math.Log(u) / server.Weight;
            if (score < bestScore)
            {
                best = server;
                bestScore = score;
            }
        }

        return best;
    }
}
