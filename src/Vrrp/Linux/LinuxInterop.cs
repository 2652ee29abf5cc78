using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace CloudCoreLb.Vrrp.Linux;

/// <summary>
/// The few libc calls .NET's socket layer cannot make for us. The PAL refuses protocol 112 on AF_INET and does not map
/// AF_NETLINK (dotnet/runtime#67303), so those sockets are created here and wrapped in a <see cref="SafeSocketHandle"/>;
/// every later operation goes through the managed <see cref="Socket"/> API.
/// </summary>
internal static partial class LinuxInterop
{
    public const int AF_INET = 2;
    public const int AF_INET6 = 10;
    public const int AF_NETLINK = 16;
    public const int SOCK_RAW = 3;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int NETLINK_ROUTE = 0;
    public const int IPPROTO_VRRP = 112;

    public const int SOL_SOCKET = 1;
    public const int SO_BINDTODEVICE = 25;
    public const int SO_ATTACH_FILTER = 26;

    public const int IPPROTO_IP = 0;
    public const int IP_TOS = 1;
    public const int IP_TTL = 2;
    public const int IP_MTU_DISCOVER = 10;
    public const int IP_PMTUDISC_DONT = 0;
    public const int IP_FREEBIND = 15;
    public const int IP_MULTICAST_ALL = 49;

    public const int SOL_NETLINK = 270;
    public const int NETLINK_NO_ENOBUFS = 5;

    public const int CLONE_NEWNET = 0x40000000;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int SocketNative(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNsNative(int fd, int nstype);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    /// <summary>Creates a socket natively and hands ownership of the descriptor to a managed <see cref="Socket"/>.</summary>
    public static Socket CreateSocket(int domain, int type, int protocol)
    {
        var fd = SocketNative(domain, type | SOCK_CLOEXEC, protocol);
        if (fd < 0)
        {
            throw LastErrorException($"socket({domain}, {type}, {protocol})");
        }

        return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
    }

    /// <summary>
    /// Moves the calling thread into the network namespace behind <paramref name="namespaceFd"/>; sockets the thread
    /// creates afterwards belong to that namespace (used by tests and by tools that operate on a namespace).
    /// </summary>
    public static void SetNetworkNamespace(SafeHandle namespaceFd)
    {
        if (SetNsNative((int)namespaceFd.DangerousGetHandle(), CLONE_NEWNET) != 0)
        {
            throw LastErrorException("setns(CLONE_NEWNET)");
        }
    }

    /// <summary>An exception whose message carries the errno text (strerror), e.g. "Operation not permitted".</summary>
    public static Win32Exception LastErrorException(string operation)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new Win32Exception(errno, $"{operation} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }
}
