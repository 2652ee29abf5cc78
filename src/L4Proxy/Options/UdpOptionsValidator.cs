namespace CloudCoreLb.L4Proxy.Options;

/// <summary>The checks <see cref="ProxyOptionsValidator"/> adds for UDP frontends and backends.</summary>
internal static class UdpOptionsValidator
{
    public static void Validate(ProxyOptions options, List<string> errors)
    {
        foreach (var frontend in options.Frontends)
        {
            var where = $"Frontend '{frontend.Name}'";
            if (options.Backends.FirstOrDefault(b => b.Name == frontend.Backend) is { } backend && backend.Protocol != frontend.Protocol)
            {
                errors.Add($"{where}: Protocol {frontend.Protocol} does not match backend '{backend.Name}' ({backend.Protocol}).");
            }

            if (frontend.Protocol != ProxyProtocol.Udp)
            {
                continue;
            }

            // A datagram socket on a wildcard address replies from whatever source the route picks, not the VIP the
            // client wrote to, and a QUIC client drops such replies. Bind the VIP (IP_FREEBIND lets backups bind it).
            if (frontend.Bind is { } bind && (bind.Address.Equals(System.Net.IPAddress.Any) || bind.Address.Equals(System.Net.IPAddress.IPv6Any)))
            {
                errors.Add($"{where}: a UDP frontend must bind a specific address (the VIP), not {bind.Address}: replies must leave from the address the client sent to.");
            }

            var udp = frontend.Udp;
            if (udp.IdleTimeout <= TimeSpan.Zero)
            {
                errors.Add($"{where}: Udp.IdleTimeout must be positive (got {udp.IdleTimeout}).");
            }

            if (udp.MaxFlows < 1)
            {
                errors.Add($"{where}: Udp.MaxFlows must be at least 1.");
            }

            if (udp.MaxFlowsPerSource < 1)
            {
                errors.Add($"{where}: Udp.MaxFlowsPerSource must be at least 1.");
            }

            if (udp.MaxDatagramSize is < 1 or > UdpFrontendOptions.MaxPayload)
            {
                errors.Add($"{where}: Udp.MaxDatagramSize must be in 1-{UdpFrontendOptions.MaxPayload}.");
            }
        }
    }
}
