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
}
