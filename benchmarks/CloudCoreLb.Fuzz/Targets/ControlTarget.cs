using CloudCoreLb.Fuzz.Engine;
using CloudCoreLb.Host.Control;

namespace CloudCoreLb.Fuzz.Targets;

/// <summary>
/// What a control-socket client sends, through <see cref="ControlRequestReader"/> and <see cref="ControlRequest.TryParse"/>: read from a stream that delivers it in
/// chunks of 1 to 16 bytes (the first byte picks the size), the request must be the same as parsed whole, and never
/// longer than the bound.
/// </summary>
internal sealed class ControlTarget : FuzzTarget
{
    public override string Name => "control";

    public override int MaxInputLength => 4096;

    // The read buffer is the bound itself, whatever the client sends.
    public override long AllocationBudget(int length) => (16 * 1024) + (8L * ControlRequestReader.MaxLength);

    public override IReadOnlyList<byte[]> Dictionary => Words("status", "status-json", "reload", "upgrade", "server", "drain", "maint", "ready", "show", "--host", "--wait", "vrrp", "handover", "hold", "release", "--timeout", "/", "\n", "\r\n", "\r", " ", "\t", "\u00e9");

    public override FuzzOutcome Run(ReadOnlySpan<byte> input)
    {
        var whole = ControlRequestReader.Parse(input);
        var bytes = input.ToArray();
        using var stream = new ChunkedStream(bytes, 1 + ((bytes.Length > 0 ? bytes[0] : 0) & 15));
        var read = ControlRequestReader.ReadAsync(stream, CancellationToken.None).GetAwaiter().GetResult();
        if (read != whole)
        {
            throw new FuzzInvariantException($"read in chunks '{read}', parsed whole '{whole}'");
        }

        if (whole is { Length: > ControlRequestReader.MaxLength })
        {
            throw new FuzzInvariantException($"a request of {whole.Length} characters passed the {ControlRequestReader.MaxLength}-byte bound");
        }

        // The verb parser: never throws, and says why when it refuses.
        if (ControlRequest.TryParse(whole, out var request, out var error))
        {
            return request is null ? throw new FuzzInvariantException("accepted without a request") : FuzzOutcome.Accepted;
        }

        return error.Length == 0 ? throw new FuzzInvariantException($"'{whole}' refused without a reason") : FuzzOutcome.Rejected;
    }
}
