namespace CloudCoreLb.Vrrp.Tests.Linux;

/// <summary>
/// Two throw-away namespaces joined by a veth pair (<see cref="NetworkNamespace.Connect"/>): the wire between two
/// nodes for the tests that need real frames to cross the kernel. Both namespaces are deleted on dispose, and
/// already on a failed setup.
/// </summary>
internal sealed class NamespacePair : IDisposable
{
    private NamespacePair(NetworkNamespace a, NetworkNamespace b)
    {
        A = a;
        B = b;
    }

    public NetworkNamespace A { get; }

    public NetworkNamespace B { get; }

    /// <summary>Creates both namespaces and the veth pair, each end up with its address (CIDR).</summary>
    public static NamespacePair Connect(string aDevice, string aAddress, string bDevice, string bAddress)
    {
        var a = NetworkNamespace.Create();
        NetworkNamespace? b = null;
        try
        {
            b = NetworkNamespace.Create();
            NetworkNamespace.Connect(a, aDevice, aAddress, b, bDevice, bAddress);
            return new NamespacePair(a, b);
        }
        catch
        {
            a.Dispose();
            b?.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }
}
