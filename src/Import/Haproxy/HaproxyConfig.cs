namespace CloudCoreLb.Import.Haproxy;

/// <summary>What the importer understood of one haproxy.cfg.</summary>
internal sealed record HaproxyConfig(string File)
{
    public int? GlobalMaxConn { get; set; }

    /// <summary>Frontends, backends and listen sections in file order.</summary>
    public List<HaproxyProxy> Proxies { get; } = [];
}
