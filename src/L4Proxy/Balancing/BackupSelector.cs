namespace CloudCoreLb.L4Proxy.Balancing;

/// <summary>haproxy without <c>option allbackups</c>: when no active server is usable, the first usable backup takes all.</summary>
internal static class BackupSelector
{
    public static ProxyServer? FirstUsableBackup(ProxyServer[] servers, ulong excluded)
    {
        foreach (var server in servers)
        {
            if (server.Backup && server.IsUsable && (excluded & server.Bit) == 0)
            {
                return server;
            }
        }

        return null;
    }
}
