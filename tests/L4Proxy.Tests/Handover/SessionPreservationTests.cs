using System.Net.Sockets;
using System.Runtime.InteropServices;
using CloudCoreLb.L4Proxy.Handover;
using CloudCoreLb.L4Proxy.Options;
using CloudCoreLb.L4Proxy.Tests.TestSupport;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.L4Proxy.Tests.Handover;

/// <summary>
/// Crash recovery's side in the proxy: long-lived sessions and listeners go to a descriptor store, and a second
/// runtime rebuilds from the store's copies and the journal alone, as a process restarted after a crash does.
/// </summary>
public sealed class SessionPreservationTests : IDisposable
{
    private const int Slots = 16;
    // Freed only when the test class is done: a runtime writes its journal until it is disposed, which for an
    // `await using` local is after the test's last statement.
    private readonly List<nint> _journals = [];
    private readonly MemoryStore _store = new();
    private readonly nint _journal;

    public SessionPreservationTests() => _journal = AllocJournal();

    public void Dispose()
    {
        _store.Dispose();
        foreach (var journal in _journals)
        {
            Marshal.FreeHGlobal(journal);
        }
    }

    [Fact]
    public async Task AnEstablishedSessionOlderThanTheThreshold_IsStored_AndLeavesTheStoreWhenItEnds()
    {
        await using var echo = new EchoServer();
        await using var proxy = await StartAsync(Options(echo), new SessionPreservation(_store, _journal, Slots, TimeSpan.FromMilliseconds(50), recovered: false));
        Assert.Contains("l.fe", _store.Names);

        var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"));
        await client.SendAsync("hello"u8.ToArray());
        Assert.Equal("hello"u8.ToArray(), await TestProxy.ReadExactlyAsync(client, 5));
        await Wait.UntilAsync(() => _store.Names.Any(n => n.StartsWith('s')), "the session stored");
        var name = _store.Names.Single(n => n.StartsWith('s'));
        Assert.Equal(2, _store.Count(name));
        Assert.Equal(1, proxy.Preservation!.Preserved);

        client.Shutdown(SocketShutdown.Both);
        client.Dispose();
        await Wait.UntilAsync(() => !_store.Names.Contains(name), "the ended session removed from the store");
        Assert.Equal(0, proxy.Preservation.Preserved);
    }

    [Fact]
    public async Task AStoredSessionClosedByTheProxy_IsClosedForItsPeerAlthoughTheStoreStillHoldsACopy()
    {
        await using var echo = new EchoServer();
        var options = Options(echo);
        options.Frontends[0].ClientTimeout = TimeSpan.FromSeconds(2);
        _store.KeepCopiesOnRemove = true;
        await using var proxy = await StartAsync(options, new SessionPreservation(_store, _journal, Slots, TimeSpan.FromMilliseconds(50), recovered: false));
        using var client = await TestProxy.ConnectAsync(proxy.GetFrontendEndPoint("fe"));
        await client.SendAsync("x"u8.ToArray());
        Assert.Equal("x"u8.ToArray(), await TestProxy.ReadExactlyAsync(client, 1));
        await Wait.UntilAsync(() => _store.Names.Any(n => n.StartsWith('s')), "the session stored");

        // The client timeout ends it: the client sees the end even though a copy of the socket is still held.
        Assert.True(await TestProxy.ClosedByPeerAsync(client, 10000));
    }

    [Fact]
    public async Task ARuntimeRecoveringFromTheStore_ResumesASettledSessionWithEveryByte()
    {
        await using var echo = new EchoServer();
        var options = Options(echo);
        var crashed = await StartAsync(options, new SessionPreservation(_store, _journal, Slots, TimeSpan.FromMilliseconds(50), recovered: false));
        using var client = await TestProxy.ConnectAsync(crashed.GetFrontendEndPoint("fe"));
        var before = RandomBytes(1, 128 * 1024);
        await client.SendAsync(before);
        Assert.Equal(before, await TestProxy.ReadExactlyAsync(client, before.Length));
        await Wait.UntilAsync(() => _store.Names.Any(n => n.StartsWith('s')), "the session stored");

        var (stored, journal) = await CrashAsync(crashed);
        // Sent while no process serves: waits in the kernel.
        var during = RandomBytes(2, 32 * 1024);
        await client.SendAsync(during);

        await using var recovered = new ProxyRuntime { Preservation = new SessionPreservation(_store, journal, Slots, TimeSpan.FromMilliseconds(50), recovered: true) };
        await recovered.StartForTakeoverAsync(options, CancellationToken.None);
        var result = await recovered.RecoverAsync(stored);
        recovered.CompleteAdoption();
        Assert.Equal(1, result.Adopted);
        Assert.Empty(result.Refused);
        Assert.Equal(1, recovered.Preservation.Preserved);

        Assert.Equal(during, await TestProxy.ReadExactlyAsync(client, during.Length));
        var after = RandomBytes(3, 256 * 1024);
        var send = client.SendAsync(after);
        Assert.Equal(after, await TestProxy.ReadExactlyAsync(client, after.Length));
        await send;
        // The listener came back from the store too.
        await Wait.UntilAsync(() => recovered.GetServerStatus().All(s => s.Usable), "every server up");
        using var second = await TestProxy.ConnectAsync(recovered.GetFrontendEndPoint("fe"));
        await second.SendAsync("y"u8.ToArray());
        Assert.Equal("y"u8.ToArray(), await TestProxy.ReadExactlyAsync(second, 1));
    }

    [Fact]
    public async Task ASessionWhoseBytesWereInFlightAtTheCrash_IsResetAndLeavesTheStore_NeverResumedWithAGap()
    {
        await using var echo = new EchoServer();
        var options = Options(echo);
        var crashed = await StartAsync(options, new SessionPreservation(_store, _journal, Slots, TimeSpan.FromMilliseconds(50), recovered: false));
        using var client = await TestProxy.ConnectAsync(crashed.GetFrontendEndPoint("fe"));
        await client.SendAsync("x"u8.ToArray());
        Assert.Equal("x"u8.ToArray(), await TestProxy.ReadExactlyAsync(client, 1));
        await Wait.UntilAsync(() => _store.Names.Any(n => n.StartsWith('s')), "the session stored");
        var name = _store.Names.Single(n => n.StartsWith('s'));
        Assert.True(SessionPreservation.TryParseSessionName(name, out var slot, out _));

        var (stored, journal) = await CrashAsync(crashed);
        // The crashed process had read bytes it never wrote: its slot says busy.
        Marshal.WriteInt32(journal, (slot * SessionPreservation.SlotSize) + 4, 1);

        await using var recovered = new ProxyRuntime { Preservation = new SessionPreservation(_store, journal, Slots, TimeSpan.FromMilliseconds(50), recovered: true) };
        await recovered.StartForTakeoverAsync(options, CancellationToken.None);
        var result = await recovered.RecoverAsync(stored);
        recovered.CompleteAdoption();

        Assert.Equal(0, result.Adopted);
        Assert.Equal(1, result.Refused["in-flight"]);
        Assert.DoesNotContain(name, _store.Names);
        // A reset, not a FIN: the edge must not take a cut stream for a complete one.
        using var cts = new CancellationTokenSource(5000);
        await Assert.ThrowsAsync<SocketException>(async () =>
        {
            var buffer = new byte[16];
            while (await client.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0)
            {
            }

            throw new InvalidOperationException("closed with a FIN");
        });
    }

    [Fact]
    public async Task WhatTheStoreHoldsAndThisBuildDoesNotRecognise_IsClosedAndRemoved_NeverAdoptedHalfWay()
    {
        await using var echo = new EchoServer();
        var options = Options(echo);
        using var a = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var b = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _store.Store("bogus", [(int)a.Handle]);
        _store.Store("s99.1", [(int)a.Handle, (int)b.Handle]);
        _store.Store("s3.5", [(int)a.Handle]);
        _store.Store("l.gone", [(int)b.Handle]);
        var stored = _store.Snapshot();

        await using var recovered = new ProxyRuntime { Preservation = new SessionPreservation(_store, _journal, Slots, TimeSpan.FromSeconds(1), recovered: true) };
        await recovered.StartForTakeoverAsync(options, CancellationToken.None);
        var result = await recovered.RecoverAsync(stored);
        recovered.CompleteAdoption();

        Assert.Equal(0, result.Adopted);
        Assert.Equal(new Dictionary<string, int> { ["unknown-name"] = 1, ["unknown-session"] = 1, ["bad-descriptor"] = 1, ["unknown-listener"] = 1 }, result.Refused);
        Assert.Equal(["l.fe"], _store.Names);
        // The frontend bound anew, as after a crash with nothing stored for it (served once its server checks up).
        await Wait.UntilAsync(() => recovered.GetServerStatus().All(s => s.Usable), "every server up");
        using var client = await TestProxy.ConnectAsync(recovered.GetFrontendEndPoint("fe"));
        await client.SendAsync("z"u8.ToArray());
        Assert.Equal("z"u8.ToArray(), await TestProxy.ReadExactlyAsync(client, 1));
    }

    [Theory]
    [InlineData("s12.7", 12, 7u)]
    [InlineData("s0.4294967295", 0, uint.MaxValue)]
    public void SessionNames_RoundTrip(string name, int slot, uint sequence)
    {
        Assert.Equal(name, SessionPreservation.SessionName(slot, sequence));
        Assert.True(SessionPreservation.TryParseSessionName(name, out var s, out var q));
        Assert.Equal((slot, sequence), (s, q));
    }

    [Theory]
    [InlineData("l.fe")]
    [InlineData("journal")]
    [InlineData("s.1")]
    [InlineData("s1.")]
    [InlineData("s-1.2")]
    public void OtherNames_AreNotSessions(string name) => Assert.False(SessionPreservation.TryParseSessionName(name, out _, out _));

    [Fact]
    public void AFullJournal_StoresNoMoreSessions()
    {
        var preservation = new SessionPreservation(_store, _journal, 1, TimeSpan.Zero, recovered: false);
        using var a = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var b = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        Assert.True(preservation.TryPreserve((int)a.Handle, (int)b.Handle, out var slot, out _));
        Assert.False(preservation.TryPreserve((int)a.Handle, (int)b.Handle, out _, out _));
        preservation.Release(slot);
        Assert.True(preservation.TryPreserve((int)a.Handle, (int)b.Handle, out _, out _));
    }

    private static ProxyOptions Options(EchoServer echo) =>
        new() { Frontends = [TestProxy.Frontend("fe", "be")], Backends = [TestProxy.Backend("be", echo.EndPoint)] };

    private static async Task<ProxyRuntime> StartAsync(ProxyOptions options, SessionPreservation preservation)
    {
        var runtime = new ProxyRuntime { Preservation = preservation };
        await runtime.StartAsync(options, CancellationToken.None);
        await Wait.UntilAsync(() => runtime.GetServerStatus().All(s => s.Usable), "every server up");
        return runtime;
    }

    /// <summary>
    /// What a crash leaves: the store's copies and the journal as they were. The runtime then lets go of its own
    /// descriptors without a word to the peers (as a dead process's close does), which clears its slots in the
    /// live journal, hence the copy.
    /// </summary>
    private async Task<(IReadOnlyList<StoredDescriptor> Stored, nint Journal)> CrashAsync(ProxyRuntime crashed)
    {
        var stored = _store.Snapshot();
        var journal = AllocJournal();
        var content = new byte[Slots * SessionPreservation.SlotSize];
        Marshal.Copy(_journal, content, 0, content.Length);
        Marshal.Copy(content, 0, journal, content.Length);
        _ = await crashed.FreezeAsync();
        await crashed.AbandonAsync();
        await crashed.DisposeAsync();
        return (stored, journal);
    }

    private nint AllocJournal()
    {
        var journal = Marshal.AllocHGlobal(Slots * SessionPreservation.SlotSize);
        _journals.Add(journal);
        Marshal.Copy(new byte[Slots * SessionPreservation.SlotSize], 0, journal, Slots * SessionPreservation.SlotSize);
        return journal;
    }

    private static byte[] RandomBytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>An in-process descriptor store: keeps duplicates, as systemd keeps its own copies.</summary>
    private sealed class MemoryStore : IDescriptorStore, IDisposable
    {
        private readonly Lock _lock = new();
        private readonly List<(string Name, int Fd)> _entries = [];

        /// <summary>Removal forgets the names but keeps the copies open, as systemd does until it gets to the message.</summary>
        public bool KeepCopiesOnRemove { get; set; }

        public IReadOnlyList<string> Names
        {
            get
            {
                lock (_lock)
                {
                    return [.. _entries.Select(e => e.Name).Distinct()];
                }
            }
        }

        public int Count(string name)
        {
            lock (_lock)
            {
                return _entries.Count(e => e.Name == name);
            }
        }

        public void Store(string name, ReadOnlySpan<int> fds)
        {
            lock (_lock)
            {
                foreach (var fd in fds)
                {
                    _entries.Add((name, dup(fd)));
                }
            }
        }

        public void Remove(string name)
        {
            lock (_lock)
            {
                foreach (var entry in _entries.Where(e => e.Name == name).ToArray())
                {
                    if (!KeepCopiesOnRemove)
                    {
                        _ = close(entry.Fd);
                    }

                    _entries.Remove(entry);
                }
            }
        }

        /// <summary>Duplicates of everything, as a restarted process receives them.</summary>
        public IReadOnlyList<StoredDescriptor> Snapshot()
        {
            lock (_lock)
            {
                return [.. _entries.Select(e => new StoredDescriptor(e.Name, dup(e.Fd)))];
            }
        }

        public void Dispose()
        {
            lock (_lock)
            {
                foreach (var (_, fd) in _entries)
                {
                    _ = close(fd);
                }

                _entries.Clear();
            }
        }
    }
}
