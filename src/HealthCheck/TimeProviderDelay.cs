namespace CloudCoreLb.HealthCheck;

/// <summary>
/// <c>Task.Delay</c> on a <see cref="TimeProvider"/> that completes (or cancels) its task right in the timer or
/// cancellation callback, so an awaiter using <c>ConfigureAwait(false)</c> resumes inline there. With
/// <c>FakeTimeProvider</c> a check loop therefore follows <c>Advance</c> step by step instead of catching up later on
/// another thread (runs would be missed or drift); in production the callback runs on a thread-pool thread anyway.
/// </summary>
internal static class TimeProviderDelay
{
    public static Task DelayAsync(TimeProvider time, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        if (delay <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        // Register before arming the timer so a very short delay cannot fire first and leave the registration behind.
        var state = new DelayState(cancellationToken);
        if (cancellationToken.CanBeCanceled)
        {
            state.Registration = cancellationToken.Register(static s => ((DelayState)s!).Cancel(), state);
        }

        state.Timer = time.CreateTimer(static s => ((DelayState)s!).Complete(), state, delay, Timeout.InfiniteTimeSpan);
        if (state.Task.IsCompleted)
        {
            state.Timer.Dispose(); // cancelled while arming
        }

        return state.Task;
    }

    private sealed class DelayState(CancellationToken cancellationToken) : TaskCompletionSource
    {
        public ITimer? Timer { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        public void Complete()
        {
            Cleanup();
            TrySetResult();
        }

        public void Cancel()
        {
            Cleanup();
            TrySetCanceled(cancellationToken);
        }

        private void Cleanup()
        {
            Timer?.Dispose();
            Registration.Dispose();
        }
    }
}
