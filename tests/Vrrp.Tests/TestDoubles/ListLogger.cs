using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Vrrp.Tests.TestDoubles;

/// <summary>Keeps every log entry so tests can assert on levels and event ids.</summary>
internal sealed class ListLogger : ILogger
{
    public List<(LogLevel Level, EventId EventId, string Message)> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Add((logLevel, eventId, formatter(state, exception)));

    public int Count(string eventName) => Entries.Count(e => e.EventId.Name == eventName);
}
