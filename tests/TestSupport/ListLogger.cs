using Microsoft.Extensions.Logging;

namespace CloudCoreLb.TestSupport;

/// <summary>
/// Records every log entry so tests can assert on levels, event ids and messages. Thread-safe: components under test
/// log from their own loops while the test reads.
/// </summary>
public sealed class ListLogger : ILogger
{
    private readonly Lock _gate = new();
    private readonly List<LogEntry> _entries = [];

    /// <summary>A copy of the entries so far, in the order they were logged.</summary>
    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>How many entries carry the event named <paramref name="eventName"/>.</summary>
    public int Count(string eventName) => Entries.Count(e => e.EventId.Name == eventName);

    /// <inheritdoc/>
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    /// <inheritdoc/>
    public bool IsEnabled(LogLevel logLevel) => true;

    /// <inheritdoc/>
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var entry = new LogEntry(logLevel, eventId, formatter(state, exception));
        lock (_gate)
        {
            _entries.Add(entry);
        }
    }
}
