using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.Host.Handover;

/// <summary>
/// The memory a crashed process leaves to its restarted successor (docs/design/upgrade.md, "Crash recovery"): a memfd
/// kept in systemd's descriptor store and mapped shared, so every write is in the kernel's pages the moment it is
/// made and survives the writer's death. It holds, per VRRP instance, when it last advertised as master, and the
/// session slots of <see cref="CloudCoreLb.L4Proxy.Handover.SessionPreservation"/>.
/// </summary>
internal sealed unsafe class CrashJournal : IDisposable
{
    /// <summary>Name in the descriptor store.</summary>
    public const string StoreName = "journal";

    private const ulong Magic = 0x31304A43424C4343; // "CCLBCJ01" little-endian
    private const int Format = 1;
    private const int MaxInstances = 64;
    private const int InstanceRecord = 64;
    private const int NameBytes = 48;
    private const int InstancesOffset = 64;
    private const int SlotsOffset = 8192;

    private readonly byte* _base;
    private readonly long _length;

    private CrashJournal(int fd, byte* mapping, long length, int slotCount)
    {
        Fd = fd;
        _base = mapping;
        _length = length;
        SlotCount = slotCount;
    }

    /// <summary>The memfd (stored under <see cref="StoreName"/>).</summary>
    public int Fd { get; }

    /// <summary>Session slots.</summary>
    public int SlotCount { get; }

    /// <summary>Start of the session slots.</summary>
    public nint Slots => (nint)(_base + SlotsOffset);

    /// <summary>A new, empty journal with room for <paramref name="slotCount"/> sessions (pages are only used once written).</summary>
    public static CrashJournal Create(int slotCount)
    {
        int fd;
        fixed (byte* name = "cloudcore-lb-journal\0"u8)
        {
            fd = memfd_create(name, MFD_CLOEXEC);
        }

        if (fd < 0)
        {
            throw new IOException($"memfd_create failed: errno {errno}");
        }

        var length = SlotsOffset + ((long)slotCount * CloudCoreLb.L4Proxy.Handover.SessionPreservation.SlotSize);
        if (ftruncate(fd, length) != 0)
        {
            var error = errno;
            _ = close(fd);
            throw new IOException($"sizing the journal failed: errno {error}");
        }

        var journal = new CrashJournal(fd, Map(fd, length), length, slotCount);
        var header = journal.Header;
        BinaryPrimitives.WriteUInt64LittleEndian(header, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], Format);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], slotCount);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], Stopwatch.Frequency);
        return journal;
    }

    /// <summary>Maps a journal a crashed process left; throws <see cref="InvalidDataException"/> when it is not one this build reads.</summary>
    public static CrashJournal Open(int fd)
    {
        stat st;
        if (fstat(fd, &st) != 0 || st.st_size < SlotsOffset)
        {
            throw new InvalidDataException("not a journal (too small)");
        }

        var length = (long)st.st_size;
        var mapping = Map(fd, length);
        var header = new ReadOnlySpan<byte>(mapping, SlotsOffset);
        var slots = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        string? problem =
            BinaryPrimitives.ReadUInt64LittleEndian(header) != Magic ? "bad magic"
            : BinaryPrimitives.ReadInt32LittleEndian(header[8..]) is var format && format != Format ? $"format {format}, this build reads {Format}"
            : BinaryPrimitives.ReadInt64LittleEndian(header[16..]) != Stopwatch.Frequency ? "another clock"
            : slots < 1 || SlotsOffset + ((long)slots * CloudCoreLb.L4Proxy.Handover.SessionPreservation.SlotSize) > length ? "slot count does not fit"
            : null;
        if (problem is not null)
        {
            _ = munmap(mapping, (size_t)(ulong)length);
            throw new InvalidDataException(problem);
        }

        return new CrashJournal(fd, mapping, length, slots);
    }

    private Span<byte> Header => new(_base, SlotsOffset);

    /// <summary>Records that instance <paramref name="index"/> last advertised as master at <paramref name="timestamp"/> (0: it is not master).</summary>
    public void WriteInstance(int index, string name, long timestamp)
    {
        if ((uint)index >= MaxInstances)
        {
            return;
        }

        var record = Header.Slice(InstancesOffset + (index * InstanceRecord), InstanceRecord);
        Span<byte> encoded = stackalloc byte[NameBytes];
        encoded.Clear();
        _ = Encoding.UTF8.GetBytes(name.AsSpan(0, Math.Min(name.Length, NameBytes / 4)), encoded);
        encoded.CopyTo(record[16..]);
        // The timestamp last: a reader that sees it sees the name it belongs to.
        Volatile.Write(ref *(long*)(_base + InstancesOffset + (index * InstanceRecord)), timestamp);
    }

    /// <summary>Every instance that was master, with when it last advertised.</summary>
    public IReadOnlyDictionary<string, long> ReadMasters()
    {
        var masters = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < MaxInstances; i++)
        {
            var record = Header.Slice(InstancesOffset + (i * InstanceRecord), InstanceRecord);
            var timestamp = BinaryPrimitives.ReadInt64LittleEndian(record);
            if (timestamp != 0)
            {
                var name = record.Slice(16, NameBytes);
                var end = name.IndexOf((byte)0);
                masters[Encoding.UTF8.GetString(end < 0 ? name : name[..end])] = timestamp;
            }
        }

        return masters;
    }

    /// <summary>Forgets every instance record (a new process writes its own).</summary>
    public void ClearInstances() => Header.Slice(InstancesOffset, MaxInstances * InstanceRecord).Clear();

    public void Dispose()
    {
        _ = munmap(_base, (size_t)(ulong)_length);
        _ = close(Fd);
    }

    private static byte* Map(int fd, long length)
    {
        var mapping = mmap(null, (size_t)(ulong)length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (mapping == MAP_FAILED)
        {
            var error = errno;
            _ = close(fd);
            throw new IOException($"mapping the journal failed: errno {error}");
        }

        return (byte*)mapping;
    }
}
