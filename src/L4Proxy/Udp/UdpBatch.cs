using System.Runtime.InteropServices;
using CloudCoreLb.L4Proxy.Forwarding.Native;

namespace CloudCoreLb.L4Proxy.Udp;

/// <summary>
/// A fixed set of datagram slots in native memory for <c>recvmmsg</c>/<c>sendmmsg</c>: per slot a buffer, a
/// <c>sockaddr</c>, an <c>iovec</c> and two <c>mmsghdr</c>s over the same buffer, one with the address (receive from
/// and send to an unconnected socket) and one without (send on a connected socket, where an address would override the
/// connected peer). Allocated once per frontend and direction, so the data path allocates nothing per datagram; the
/// kernel writes into it only during a call on the loop's thread, hence native memory rather than pinned arrays.
/// </summary>
internal sealed unsafe class UdpBatch : IDisposable
{
    private byte* _memory;
    private readonly UdpNative.IoVec* _iov;
    private readonly byte* _addresses;
    private readonly byte* _buffers;

    public UdpBatch(int capacity, int datagramSize)
    {
        Capacity = capacity;
        DatagramSize = datagramSize;
        var headers = (nuint)(sizeof(UdpNative.MMsgHdr) * capacity);
        var iov = (nuint)(sizeof(UdpNative.IoVec) * capacity);
        var addresses = (nuint)(PeerAddress.MaxLength * capacity);
        var total = (2 * headers) + iov + addresses + (nuint)((long)datagramSize * capacity);
        _memory = (byte*)NativeMemory.AlignedAlloc(total, 64);
        NativeMemory.Clear(_memory, total);
        WithAddress = (UdpNative.MMsgHdr*)_memory;
        Connected = (UdpNative.MMsgHdr*)(_memory + headers);
        _iov = (UdpNative.IoVec*)(_memory + (2 * headers));
        _addresses = _memory + (2 * headers) + iov;
        _buffers = _addresses + addresses;
        for (var i = 0; i < capacity; i++)
        {
            _iov[i].Base = Buffer(i);
            WithAddress[i].Header.Iov = &_iov[i];
            WithAddress[i].Header.IovLen = 1;
            WithAddress[i].Header.Name = Address(i);
            Connected[i].Header.Iov = &_iov[i];
            Connected[i].Header.IovLen = 1;
        }
    }

    public int Capacity { get; }

    /// <summary>The size of each slot's buffer: a longer datagram is truncated (and reported with <c>MSG_TRUNC</c>).</summary>
    public int DatagramSize { get; }

    /// <summary>The headers with a <c>sockaddr</c> per slot (recvmmsg, sendmmsg on an unconnected socket).</summary>
    public UdpNative.MMsgHdr* WithAddress { get; }

    /// <summary>The headers without an address, over the same buffers (sendmmsg on a connected socket).</summary>
    public UdpNative.MMsgHdr* Connected { get; }

    public byte* Buffer(int slot) => _buffers + ((long)slot * DatagramSize);

    public byte* Address(int slot) => _addresses + (slot * PeerAddress.MaxLength);

    /// <summary>Readies slots <paramref name="from"/>.. for a receive: full buffers, room for any address.</summary>
    public void PrepareReceive(int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            _iov[i].Len = (nuint)DatagramSize;
            WithAddress[i].Header.NameLen = PeerAddress.MaxLength;
            WithAddress[i].Header.Flags = 0;
            Connected[i].Header.Flags = 0;
        }
    }

    /// <summary>The length a receive wrote in <paramref name="slot"/>, or -1 when the datagram did not fit.</summary>
    public int Received(int slot, UdpNative.MMsgHdr* headers) =>
        (headers[slot].Header.Flags & UdpNative.MsgTrunc) != 0 ? -1 : (int)headers[slot].Length;

    /// <summary>Copies slot <paramref name="from"/>'s datagram and address into slot <paramref name="to"/> (closing a gap).</summary>
    public void Move(int from, int to)
    {
        var length = Length(from);
        System.Buffer.MemoryCopy(Buffer(from), Buffer(to), DatagramSize, length);
        System.Buffer.MemoryCopy(Address(from), Address(to), PeerAddress.MaxLength, PeerAddress.MaxLength);
        WithAddress[to].Header.NameLen = WithAddress[from].Header.NameLen;
        SetLength(to, length);
    }

    /// <summary>Sets the length slot <paramref name="slot"/> sends (both header sets share its iovec).</summary>
    public void SetLength(int slot, int length) => _iov[slot].Len = (nuint)length;

    public int Length(int slot) => (int)_iov[slot].Len;

    public void Dispose()
    {
        if (_memory != null)
        {
            NativeMemory.AlignedFree(_memory);
            _memory = null;
        }
    }
}
