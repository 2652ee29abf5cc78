using System.Net.Sockets;
using System.Text;
using CloudCoreLb.Host.Handover;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.Host.Tests.Handover;

public sealed class HandoverChannelTests
{
    [Fact]
    public void AFrameCarriesItsPayloadAndDescriptors_AndTheNextFrameOnlyItsOwn()
    {
        var (left, right) = Pair();
        using var sender = left;
        using var receiver = right;
        var pipes = Enumerable.Range(0, 300).Select(_ => Pipe()).ToArray();
        var ends = pipes.Select(p => p.Write).ToArray();

        sender.Send(HandoverFrameType.Descriptors, "first"u8, ends.AsSpan(0, HandoverChannel.MaxDescriptorsPerFrame));
        sender.Send(HandoverFrameType.Descriptors, "second"u8, ends.AsSpan(HandoverChannel.MaxDescriptorsPerFrame));
        var first = receiver.Receive();
        var second = receiver.Receive();

        Assert.Equal(("first", HandoverChannel.MaxDescriptorsPerFrame), (Encoding.UTF8.GetString(first.Payload), first.Fds.Length));
        Assert.Equal(("second", 300 - HandoverChannel.MaxDescriptorsPerFrame), (Encoding.UTF8.GetString(second.Payload), second.Fds.Length));
        // Each received descriptor is the same pipe as the one sent in its place: a byte written to it comes out there.
        var received = first.Fds.Concat(second.Fds).ToArray();
        for (var i = 0; i < pipes.Length; i += 37)
        {
            Assert.Equal(1, Write(received[i], (byte)i));
            Assert.Equal((byte)i, Read(pipes[i].Read));
        }

        HandoverChannel.Close(received);
        foreach (var (r, w) in pipes)
        {
            HandoverChannel.Close([r, w]);
        }
    }

    [Fact]
    public void TheOtherEndGoingAway_IsAnEndOfStreamNotAHang()
    {
        var (left, right) = Pair();
        left.Dispose();
        using (right)
        {
            Assert.Throws<EndOfStreamException>(() => right.Receive());
        }
    }

    [Fact]
    public void SilenceBeyondTheTimeout_IsATimeout()
    {
        var (left, right) = Pair(TimeSpan.FromMilliseconds(200));
        using (left)
        using (right)
        {
            Assert.Throws<TimeoutException>(() => right.Receive());
        }
    }

    [Fact]
    public void ACorruptHeader_IsRefused()
    {
        var (raw, right) = RawPair();
        using (raw)
        using (right)
        {
            raw.Send([0xff, 0xff, 0xff, 0x7f, 1, 0, 0, 0]);
            Assert.Throws<InvalidDataException>(() => right.Receive());
        }
    }

    [Fact]
    public void PeerPid_IsTheProcessAtTheOtherEnd()
    {
        var (left, right) = Pair();
        using (left)
        using (right)
        {
            Assert.Equal(Environment.ProcessId, right.PeerPid);
        }
    }

    private static (HandoverChannel, HandoverChannel) Pair(TimeSpan? timeout = null)
    {
        var (a, b) = Sockets();
        return (new HandoverChannel(a, timeout ?? TimeSpan.FromSeconds(10)), new HandoverChannel(b, timeout ?? TimeSpan.FromSeconds(10)));
    }

    private static (Socket, HandoverChannel) RawPair()
    {
        var (a, b) = Sockets();
        return (a, new HandoverChannel(b, TimeSpan.FromSeconds(10)));
    }

    private static (Socket, Socket) Sockets()
    {
        var name = "\0cclb-test-" + Guid.NewGuid().ToString("N");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(name));
        listener.Listen(1);
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(name));
        return (client, listener.Accept());
    }

    private static unsafe (int Read, int Write) Pipe()
    {
        var fds = stackalloc int[2];
        Assert.Equal(0, pipe2(fds, O_CLOEXEC));
        return (fds[0], fds[1]);
    }

    private static unsafe int Write(int fd, byte value) => (int)(long)write(fd, &value, 1);

    private static unsafe byte Read(int fd)
    {
        byte value;
        Assert.Equal(1, (int)(long)read(fd, &value, 1));
        return value;
    }
}
