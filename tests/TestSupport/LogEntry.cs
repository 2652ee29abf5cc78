using Microsoft.Extensions.Logging;

namespace CloudCoreLb.TestSupport;

/// <summary>One entry recorded by <see cref="ListLogger"/>.</summary>
/// <param name="Level">The entry's level.</param>
/// <param name="EventId">The stable event id (and name) of the <c>[LoggerMessage]</c> that wrote it.</param>
/// <param name="Message">The formatted message.</param>
public readonly record struct LogEntry(LogLevel Level, EventId EventId, string Message);
