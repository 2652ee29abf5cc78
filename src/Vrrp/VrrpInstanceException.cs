namespace CloudCoreLb.Vrrp;

/// <summary>
/// An instance could not be opened: its options are invalid, its interface is missing or has no IPv4 source address,
/// or the kernel refused a socket (not root, no such device). Nothing it opened is left behind.
/// </summary>
public sealed class VrrpInstanceException : Exception
{
    /// <summary>Creates the exception for <paramref name="instance"/>.</summary>
    public VrrpInstanceException(string instance, string message, Exception? innerException = null)
        : base($"{instance}: {message}", innerException)
    {
        Instance = instance;
    }

    /// <summary>The instance that failed to open.</summary>
    public string Instance { get; }
}
