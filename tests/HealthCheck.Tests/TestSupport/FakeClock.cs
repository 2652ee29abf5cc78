using Microsoft.Extensions.Time.Testing;

namespace CloudCoreLb.HealthCheck.Tests.TestSupport;

/// <summary>
/// Advances a <see cref="FakeTimeProvider"/> so that the timer continuations it completes run inline, as they would
/// on a timer thread. Under xunit's SynchronizationContext the runtime refuses to inline them (they would be queued
/// to the thread pool and the loop would lag behind the clock), so the context is lifted while advancing.
/// </summary>
internal static class FakeClock
{
    public static void Step(this FakeTimeProvider time, TimeSpan total, TimeSpan step)
    {
        var context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            for (var t = TimeSpan.Zero; t < total; t += step)
            {
                time.Advance(step);
            }
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    public static void Run(this FakeTimeProvider time, TimeSpan delta) => time.Step(delta, delta);
}
