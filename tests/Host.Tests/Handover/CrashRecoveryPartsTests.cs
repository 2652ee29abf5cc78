using System.Net.Sockets;
using System.Text;
using CloudCoreLb.Host.Cli;
using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Host.Handover;
using Microsoft.Extensions.Logging.Abstractions;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.Host.Tests.Handover;

/// <summary>The host's parts of crash recovery: the journal, the store's wire messages, what systemd passes back, and release-vips' choice.</summary>
public sealed class CrashRecoveryPartsTests
{
    [Fact]
    public void AJournalReopenedFromItsDescriptor_ReadsTheMastersAndSessionSlotsItsWriterLeft()
    {
        using var written = CrashJournal.Create(1000);
        written.WriteInstance(0, "CloudCore", 123_456_789);
        written.WriteInstance(1, "Backup", 0);
        System.Runtime.InteropServices.Marshal.WriteInt32(written.Slots, 8 * 999, 42);

        using var reopened = CrashJournal.Open(dup(written.Fd));

        Assert.Equal(1000, reopened.SlotCount);
        Assert.Equal(new Dictionary<string, long> { ["CloudCore"] = 123_456_789 }, reopened.ReadMasters());
        Assert.Equal(42, System.Runtime.InteropServices.Marshal.ReadInt32(reopened.Slots, 8 * 999));
        reopened.ClearInstances();
        Assert.Empty(written.ReadMasters());
    }

    [Fact]
    public unsafe void AnythingButAJournal_IsRefusedWithTheReason()
    {
        int fd;
        fixed (byte* name = "not-a-journal\0"u8)
        {
            fd = memfd_create(name, 0);
        }

        Assert.Equal(0, ftruncate(fd, 16384));
        var small = Assert.Throws<InvalidDataException>(() => CrashJournal.Open(fd));
        Assert.Equal("bad magic", small.Message);
        _ = close(fd);
    }

    [Fact]
    public void TheStore_SendsNothingBeforeItIsOpen_ThenFdstoreWithTheDescriptorsAndFdstoreremoveInOrder()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cclb-notify-{Guid.NewGuid():N}");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(path));
        var previous = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        Environment.SetEnvironmentVariable("NOTIFY_SOCKET", path);
        try
        {
            using var store = SystemdDescriptorStore.FromEnvironment(NullLogger.Instance)!;
            var (read, write) = Pipe();
            store.Store("s3.7", [read, write]);
            store.Remove("s3.7");
            store.Store("bad:name", [read]);
            Assert.False(store.Flush(TimeSpan.FromMilliseconds(200)));
            Assert.Equal(0, systemd.Available);

            store.Open();
            Assert.True(store.Flush(TimeSpan.FromSeconds(5)));
            var (first, fds) = Receive(systemd);
            var (second, none) = Receive(systemd);

            Assert.Equal("FDSTORE=1\nFDNAME=s3.7", first);
            Assert.Equal(2, fds.Length);
            // The copies are the same pipe: a byte written through the stored write end comes out of ours.
            Assert.Equal(1, Write(fds[1], 9));
            Assert.Equal(9, ReadByte(read));
            Assert.Equal("FDSTOREREMOVE=1\nFDNAME=s3.7", second);
            Assert.Empty(none);
            Assert.Equal(0, systemd.Available);
            foreach (var fd in fds.Append(read).Append(write))
            {
                _ = close(fd);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", previous);
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("s0.1", true)]
    [InlineData("l.http_10000_front", true)]
    [InlineData("a:b", false)]
    [InlineData("with space", false)]
    [InlineData("", false)]
    public void StoreNames_FollowSystemdsRules(string name, bool valid) => Assert.Equal(valid, SystemdDescriptorStore.IsValidName(name));

    [Fact]
    public void ListenFds_AreNumberedFromThreeAndNamed_AndOnlyForTheProcessTheyNameAndWellFormed()
    {
        var fds = StoredDescriptors.Parse("4242", "3", "journal:l.fe:s0.1", 4242);
        Assert.Equal(["journal", "l.fe", "s0.1"], fds.Select(d => d.Name));
        Assert.Equal([3, 4, 5], fds.Select(d => d.Fd));

        Assert.Empty(StoredDescriptors.Parse("4243", "3", "journal:l.fe:s0.1", 4242));
        Assert.Empty(StoredDescriptors.Parse(null, "3", null, 4242));
        Assert.Empty(StoredDescriptors.Parse("4242", "x", null, 4242));
        Assert.Equal("unknown", StoredDescriptors.Parse("4242", "1", null, 4242).Single().Name);
    }

    [Theory]
    [InlineData("signal", true, true)]
    [InlineData("core-dump", true, true)]
    [InlineData("watchdog", true, true)]
    [InlineData("success", true, false)]
    [InlineData(null, true, false)]
    [InlineData("signal", false, false)]
    public void ReleaseVips_LeavesTheLeasedInstancesVipsToARestart_OnlyAfterACrashWithCrashRecoveryOn(string? serviceResult, bool enabled, bool leaves)
    {
        var config = ConfigLoader.Parse(TwoInstances + $"crash_recovery: {{ enabled: {(enabled ? "true" : "false")} }}\n", "x.yaml", "n");

        var kept = ReleaseVipsCommand.KeptForRestart(config, serviceResult);

        // Only the 1 s instance: 100 ms adverts are too frequent for a whole-second lease to outlast.
        Assert.Equal(leaves ? ["Seconds"] : [], kept.Select(k => k.Name));
        Assert.Empty(ReleaseVipsCommand.KeptForRestart(null, serviceResult));
    }

    [Theory]
    [InlineData(100, false)]
    [InlineData(500, false)]
    [InlineData(990, false)]
    [InlineData(1000, true)]
    [InlineData(1500, true)]
    [InlineData(3000, true)]
    public void AVipLease_ProtectsOnlyIntervalsWhoseBackupsWaitLongerThanTheLeaseAndTheKernelsSecondOfRounding(int intervalMs, bool protects)
    {
        var interval = TimeSpan.FromMilliseconds(intervalMs);

        Assert.Equal(protects, CrashRecovery.LeaseProtects(interval));
    }

    private const string TwoInstances = """
        vrrp:
          instances:
            - name: Seconds
              interface: eth0
              virtual_router_id: 10
              advert_int: 1s
              virtual_addresses: [ 10.0.0.10/24 ]
              nodes: { n: { priority: 100 } }
            - name: Fast
              interface: eth0
              version: 3
              virtual_router_id: 11
              advert_int: 100ms
              virtual_addresses: [ 10.0.0.11/24 ]
              nodes: { n: { priority: 100 } }

        """;

    [Fact]
    public void TheCrashRecoverySection_HasDocumentedDefaults_AndNamesBadValuesByLine()
    {
        var defaults = ConfigLoader.Parse("proxy: { frontends: [], backends: [] }\n", "t.yaml", "n").CrashRecovery;
        Assert.True(defaults.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(2), defaults.SessionAge);
        Assert.Equal(65_000, defaults.MaxSessions);

        var set = ConfigLoader.Parse("crash_recovery:\n  enabled: false\n  session_age: 500ms\n  max_sessions: 10\n", "t.yaml", "n").CrashRecovery;
        Assert.Equal(new CrashRecoveryOptions { Enabled = false, SessionAge = TimeSpan.FromMilliseconds(500), MaxSessions = 10 }, set);

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("crash_recovery:\n  sesion_age: 1s\n", "t.yaml", "n"));
        Assert.Contains(error.Errors, e => e.Line == 2 && e.Key.Contains("sesion_age", StringComparison.Ordinal));
    }

    private static unsafe (string Text, int[] Fds) Receive(Socket socket)
    {
        var data = new byte[512];
        var control = stackalloc byte[512];
        fixed (byte* buffer = data)
        {
            var iov = new Tmds.Linux.iovec { iov_base = buffer, iov_len = data.Length };
            var message = new Tmds.Linux.msghdr { msg_iov = &iov, msg_iovlen = 1, msg_control = control, msg_controllen = 512 };
            var n = (int)(long)recvmsg((int)socket.Handle, &message, 0);
            Assert.True(n > 0);
            var fds = new List<int>();
            for (var c = CMSG_FIRSTHDR(&message); c != null; c = CMSG_NXTHDR(&message, c))
            {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                {
                    var count = ((int)(uint)c->cmsg_len - (int)CMSG_ALIGN(sizeof(Tmds.Linux.cmsghdr))) / sizeof(int);
                    fds.AddRange(new ReadOnlySpan<int>(CMSG_DATA(c), count).ToArray());
                }
            }

            return (Encoding.ASCII.GetString(data, 0, n), [.. fds]);
        }
    }

    private static unsafe (int Read, int Write) Pipe()
    {
        var fds = stackalloc int[2];
        Assert.Equal(0, pipe(fds));
        return (fds[0], fds[1]);
    }

    private static unsafe int Write(int fd, byte value) => (int)(long)write(fd, &value, 1);

    private static unsafe int ReadByte(int fd)
    {
        byte value;
        return (long)read(fd, &value, 1) == 1 ? value : -1;
    }
}
