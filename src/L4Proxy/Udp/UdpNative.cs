using System.Runtime.InteropServices;

namespace CloudCoreLb.L4Proxy.Udp;

/// <summary>
/// <c>recvmmsg(2)</c> and <c>sendmmsg(2)</c>, which Tmds.LibC does not bind, with the <c>struct mmsghdr</c> layout of
/// glibc (<c>struct msghdr</c> followed by <c>unsigned int msg_len</c>; pointer-sized fields as nint so the layout
/// holds on 32- and 64-bit targets alike).
/// </summary>
internal static unsafe partial class UdpNative
{
    /// <summary><c>MSG_TRUNC</c> in <c>msg_flags</c>: the datagram was longer than the buffer.</summary>
    public const int MsgTrunc = 0x20;

    /// <summary><c>MSG_DONTWAIT</c>.</summary>
    public const int MsgDontWait = 0x40;

    /// <summary>Receives up to <paramref name="count"/> datagrams; the number received, or -1 (errno via <see cref="Marshal.GetLastPInvokeError"/>).</summary>
    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    public static partial int RecvMMsg(int fd, MMsgHdr* messages, uint count, int flags, void* timeout);

    /// <summary>Sends up to <paramref name="count"/> datagrams; the number sent (a failure after the first ends the call), or -1.</summary>
    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    public static partial int SendMMsg(int fd, MMsgHdr* messages, uint count, int flags);

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public byte* Base;
        public nuint Len;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public byte* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public byte* Control;
        public nuint ControlLen;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }
}
