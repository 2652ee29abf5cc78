using System.Net;

namespace CloudCoreLb.L4Proxy;

/// <summary>
/// The servers an admin state applies to: one <c>BACKEND/SERVER</c>, or every server of one host in every backend
/// (the CloudCore upgrade case: one CloudCore serves all four KubeEdge ports). A host is an address, or else a
/// server name, because KubeEdge setups name a CloudCore's server alike in every backend.
/// </summary>
public sealed class ServerTarget
{
    private readonly IPAddress? _address;

    private ServerTarget(string? backend, string? server, string? host)
    {
        Backend = backend;
        Server = server;
        Host = host;
        if (host is not null && IPAddress.TryParse(host, out var address))
        {
            _address = address;
        }
    }

    /// <summary>Backend name for a single server, else null.</summary>
    public string? Backend { get; }

    /// <summary>Server name for a single server, else null.</summary>
    public string? Server { get; }

    /// <summary>Host address or server name for a whole host, else null.</summary>
    public string? Host { get; }

    /// <summary>One server of one backend.</summary>
    public static ServerTarget One(string backend, string server)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backend);
        ArgumentException.ThrowIfNullOrWhiteSpace(server);
        return new ServerTarget(backend, server, null);
    }

    /// <summary>Every server on one host, in every backend.</summary>
    public static ServerTarget OfHost(string host)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        return new ServerTarget(null, null, host);
    }

    /// <summary>Whether the server <paramref name="server"/> of <paramref name="backend"/> at <paramref name="address"/> is one of these.</summary>
    public bool Matches(string backend, string server, IPAddress address)
    {
        if (Host is null)
        {
            return server == Server && backend == Backend;
        }

        return _address is not null ? address.Equals(_address) : server == Host;
    }

    internal bool Matches(ProxyServer server) => Matches(server.Backend.Name, server.Name, server.EndPoint.Address);

    /// <summary>The target as the operator wrote it: <c>BACKEND/SERVER</c> or <c>host NAME</c>.</summary>
    public override string ToString() => Host is null ? $"{Backend}/{Server}" : $"host {Host}";
}
