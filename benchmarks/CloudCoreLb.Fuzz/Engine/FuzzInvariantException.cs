namespace CloudCoreLb.Fuzz.Engine;

/// <summary>A parser answered, but not as it promised to (for example, a rejected config that names no line).</summary>
internal sealed class FuzzInvariantException(string message) : Exception(message);
