using System.Text;

namespace CloudCoreLb.Host.Control;

/// <summary>
/// Reads the control protocol's one request line: UTF-8 up to the first line break, trimmed. Bounded: the longest
/// request is a dozen bytes, so a client that streams without a line break is cut off at
/// <see cref="MaxLength"/> bytes instead of growing a line buffer for as long as the 30 s read timeout lets it.
/// </summary>
internal static class ControlRequestReader
{
    /// <summary>The most bytes of a request that are read; the rest of an over-long line is never received.</summary>
    public const int MaxLength = 1024;

    /// <summary>Reads until a line break, the end of the stream or <see cref="MaxLength"/> bytes.</summary>
    /// <returns>The request, or null when the client sent nothing before closing.</returns>
    public static async Task<string?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new byte[MaxLength];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            var lineBreak = buffer.AsSpan(filled, read).IndexOfAny((byte)'\n', (byte)'\r');
            filled += read;
            if (lineBreak >= 0)
            {
                break;
            }
        }

        return Parse(buffer.AsSpan(0, filled));
    }

    /// <summary>The request in what a client sent: its first line (ended by LF, CR or CRLF as for ReadLine), trimmed.</summary>
    /// <returns>The request, or null when nothing was received.</returns>
    public static string? Parse(ReadOnlySpan<byte> received)
    {
        if (received.IsEmpty)
        {
            return null;
        }

        var lineBreak = received.IndexOfAny((byte)'\n', (byte)'\r');
        var line = lineBreak >= 0 ? received[..lineBreak] : received;
        return Encoding.UTF8.GetString(line[..Math.Min(line.Length, MaxLength)]).Trim();
    }
}
