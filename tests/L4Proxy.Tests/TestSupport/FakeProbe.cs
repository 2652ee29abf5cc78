using CloudCoreLb.HealthCheck;

namespace CloudCoreLb.L4Proxy.Tests.TestSupport;

/// <summary>A probe whose answer the test sets; records when it ran on the fake clock.</summary>
internal sealed class FakeProbe(TimeProvider time) : IHealthProbe
{
    private int _calls;

    public volatile bool Healthy = true;

    public List<TimeSpan> CallTimes { get; } = [];

    public DateTimeOffset Origin { get; set; } = time.GetUtcNow();

    public int Calls => Volatile.Read(ref _calls);

    public string Description => "fake";

    public ValueTask<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        lock (CallTimes)
        {
            CallTimes.Add(time.GetUtcNow() - Origin);
        }

        Interlocked.Increment(ref _calls);
        return ValueTask.FromResult(Healthy ? ProbeResult.Ok("L4OK") : ProbeResult.Fail("L4CON"));
    }
}
