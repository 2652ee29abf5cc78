using System.Buffers.Binary;

namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>The frames of a classic pcap file as tcpdump writes it (little-endian, micro- or nanosecond stamps).</summary>
internal static class LabPcap
{
    /// <summary>Every captured frame with its arrival time in local time.</summary>
    public static List<(DateTime At, byte[] Frame)> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var frames = new List<(DateTime, byte[])>();
        var nanoseconds = BinaryPrimitives.ReadUInt32LittleEndian(bytes) == 0xa1b23c4d;
        for (var offset = 24; offset + 16 <= bytes.Length;)
        {
            var seconds = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset));
            var fraction = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 4));
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 8));
            if (offset + 16 + length > bytes.Length)
            {
                break;
            }

            var at = DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanoseconds ? fraction / 100 : fraction * 10L).LocalDateTime;
            frames.Add((at, bytes.AsSpan(offset + 16, length).ToArray()));
            offset += 16 + length;
        }

        return frames;
    }
}
