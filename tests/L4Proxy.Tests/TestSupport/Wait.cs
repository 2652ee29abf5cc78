namespace CloudCoreLb.L4Proxy.Tests.TestSupport;

/// <summary>Polls a condition that other threads make true (async loops, sockets); fails the test on timeout.</summary>
internal static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, string what, int timeoutMs = 10000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                Assert.Fail($"Timed out after {timeoutMs} ms waiting for: {what}");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Moves a fake clock a second at a time (at most 20) until <paramref name="condition"/> holds, giving the
    /// checks it wakes time to run after each step.</summary>
    public static async Task AdvanceUntilAsync(Microsoft.Extensions.Time.Testing.FakeTimeProvider time, Func<bool> condition, string what)
    {
        for (var i = 0; i < 20 && !condition(); i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            try
            {
                await UntilAsync(condition, what, timeoutMs: 200);
            }
            catch (Exception) when (i < 19)
            {
                // Not yet: the next check needs more clock.
            }
        }

        Assert.True(condition(), what);
    }
}
