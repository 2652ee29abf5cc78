namespace CloudCoreLb.HealthCheck.Tests.TestSupport;

/// <summary>
/// A fake probe that answers from a script: each call takes the next outcome (the last one repeats), optionally
/// "taking" some fake time first. Records when it was called.
/// </summary>
internal sealed class ScriptedProbe(TimeProvider time, params bool[] outcomes) : IHealthProbe
{
    private int _calls;

    public string Description => "scripted";

    public List<TimeSpan> CallTimes { get; } = [];

    public TimeSpan RunTime { get; set; }

    public Func<int, ProbeResult>? Answer { get; set; }

    public DateTimeOffset Origin { get; set; } = time.GetUtcNow();

    public int Calls => _calls;

    public async ValueTask<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var call = _calls++;
        CallTimes.Add(time.GetUtcNow() - Origin);
        if (RunTime > TimeSpan.Zero)
        {
            await TimeProviderDelay.DelayAsync(time, RunTime, cancellationToken).ConfigureAwait(false);
        }

        if (Answer is not null)
        {
            return Answer(call);
        }

        var ok = outcomes.Length == 0 || outcomes[Math.Min(call, outcomes.Length - 1)];
        return ok ? ProbeResult.Ok() : ProbeResult.Fail("FAIL", $"call {call}");
    }
}
