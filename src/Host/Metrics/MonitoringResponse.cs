namespace CloudCoreLb.Host.Metrics;

/// <summary>One answer of the metrics listener, built before anything is written (so a failure can still be a 500).</summary>
/// <param name="StatusCode">HTTP status.</param>
/// <param name="ContentType">Media type with charset.</param>
/// <param name="Body">The whole body; a HEAD answer announces its length and sends none of it.</param>
/// <param name="Headers">Headers beyond Content-Type and Content-Length.</param>
internal sealed record MonitoringResponse(int StatusCode, string ContentType, byte[] Body, IReadOnlyList<KeyValuePair<string, string>> Headers);
