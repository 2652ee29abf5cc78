using Microsoft.Extensions.Logging.Abstractions;

namespace CloudCoreLb.L4Proxy.Tests;

public sealed class ProxyContextTests
{
    [Fact]
    public void NextSessionEnd_CompletesWhenASessionEnds_NotBefore_AndEachWaitAfterThatWaitsForTheNextOne()
    {
        // The loops are not used by the session count: a listener paused for descriptors waits on this signal.
        var context = new ProxyContext(TimeProvider.System, NullLogger.Instance, loops: null!, maxConnections: 10);
        context.SessionStarted();
        context.SessionStarted();
        var first = context.NextSessionEndAsync();
        Assert.Same(first, context.NextSessionEndAsync());
        Assert.False(first.IsCompleted);

        context.SessionEnded();
        Assert.True(first.IsCompletedSuccessfully);
        Assert.Equal(1, context.ActiveSessions);

        var second = context.NextSessionEndAsync();
        Assert.NotSame(first, second);
        Assert.False(second.IsCompleted);
        context.SessionEnded();
        Assert.True(second.IsCompletedSuccessfully);
    }
}
