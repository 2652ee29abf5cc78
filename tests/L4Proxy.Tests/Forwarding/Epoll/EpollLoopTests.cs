using System.Collections.Concurrent;
using CloudCoreLb.L4Proxy.Forwarding.Epoll;
using CloudCoreLb.L4Proxy.Tests.TestSupport;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.L4Proxy.Tests.Forwarding.Epoll;

public sealed class EpollLoopTests : IDisposable
{
    private readonly ConcurrentQueue<Exception> _faults = new();
    private readonly EpollLoop _loop;

    public EpollLoopTests()
    {
        _loop = new EpollLoop(0, splice: false, TimeProvider.System, _faults.Enqueue) { SweepPeriod = TimeSpan.FromMilliseconds(10) };
        _loop.Start();
    }

    public void Dispose() => _loop.Dispose();

    [Fact]
    public async Task PostedWork_RunsOnTheLoopThread()
    {
        var work = new RecordingWork(_loop);
        _loop.Post(work);

        Assert.True(await work.Ran.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task AReadableDescriptor_IsDispatchedToItsHandlerWithItsToken()
    {
        var handler = new RecordingHandler();
        var fds = Pipe();
        try
        {
            var slot = _loop.Register(handler);
            Assert.Equal(0, _loop.Add(fds.Read, new EpollToken(slot, 1, 12345), (uint)EPOLLIN));
            WriteOneByte(fds.Write);

            var (token, events) = await handler.Events.Task.WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(new EpollToken(slot, 1, 12345), token);
            Assert.NotEqual(0u, events & (uint)EPOLLIN);
            Assert.True(handler.ThreadWasLoop);
        }
        finally
        {
            close(fds.Read);
            close(fds.Write);
        }
    }

    [Fact]
    public async Task EveryRegisteredHandler_IsTickedEverySweepPeriod()
    {
        var handler = new RecordingHandler();
        _loop.Register(handler);

        await Wait.UntilAsync(() => Volatile.Read(ref handler.Ticks) >= 3, "three sweeps");
    }

    [Fact]
    public async Task AHandlerThatThrows_IsToldOfItsFault_AndTheLoopKeepsServingOthers()
    {
        var faulty = new RecordingHandler { ThrowOnTick = true };
        var healthy = new RecordingHandler();
        _loop.Register(faulty);
        _loop.Register(healthy);

        await Wait.UntilAsync(() => faulty.Faults > 0 && Volatile.Read(ref healthy.Ticks) > 2, "fault reported and the loop still sweeping");
    }

    [Fact]
    public async Task ForEach_VisitsTheLiveHandlersOnly()
    {
        var kept = new RecordingHandler();
        var removed = new RecordingHandler();
        _loop.Register(kept);
        _loop.Unregister(_loop.Register(removed));
        var visited = new List<IEpollHandler>();

        await _loop.ForEachAsync(visited.Add);

        Assert.Contains(kept, visited);
        Assert.DoesNotContain(removed, visited);
    }

    [Fact]
    public async Task AnUnregisteredSlot_IsReusedOnlyAfterTheLoopFinishedItsBatch()
    {
        var first = new RecordingHandler();
        var slot = _loop.Register(first);
        _loop.Unregister(slot);

        // Not yet released: a registration right now must get a different slot.
        var second = _loop.Register(new RecordingHandler());
        Assert.NotEqual(slot, second);

        // Once an iteration of the loop is over (two posted items: the second runs after the first's batch ended),
        // the slot is free again.
        foreach (var work in new[] { new RecordingWork(_loop), new RecordingWork(_loop) })
        {
            _loop.Post(work);
            await work.Ran.Task.WaitAsync(TimeSpan.FromSeconds(5));
        }

        Assert.Equal(slot, _loop.Register(new RecordingHandler()));
    }

    [Fact]
    public void TheTokenCarriesSlotSideAndGeneration()
    {
        var token = new EpollToken(0x7FFF_FFFF, 1, 0x7FFF_FFFF);

        Assert.Equal(token, EpollToken.From(token.Value));
        Assert.Equal(new EpollToken(3, 0, 0), EpollToken.From(new EpollToken(3, 0, 0).Value));
    }

    private static unsafe void WriteOneByte(int fd)
    {
        byte b = 7;
        Assert.Equal(1, (int)(long)write(fd, &b, 1));
    }

    private static unsafe (int Read, int Write) Pipe()
    {
        var fds = stackalloc int[2];
        Assert.Equal(0, pipe2(fds, O_NONBLOCK | O_CLOEXEC));
        return (fds[0], fds[1]);
    }

    private sealed class RecordingWork(EpollLoop loop) : IEpollWork
    {
        public TaskCompletionSource<bool> Ran { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Execute() => Ran.TrySetResult(loop.IsCurrentThread);
    }

    private sealed class RecordingHandler : IEpollHandler
    {
        public int Ticks;
        public int Faults;

        public bool ThrowOnTick { get; init; }

        public bool ThreadWasLoop { get; private set; }

        public TaskCompletionSource<(EpollToken, uint)> Events { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnEvents(EpollToken token, uint events)
        {
            ThreadWasLoop = Thread.CurrentThread.Name == "cclb-loop-0";
            Events.TrySetResult((token, events));
        }

        public void OnTick(long now)
        {
            Interlocked.Increment(ref Ticks);
            if (ThrowOnTick)
            {
                throw new InvalidOperationException("bug");
            }
        }

        public void OnFault(Exception exception) => Interlocked.Increment(ref Faults);
    }
}
