using System.Buffers.Binary;

namespace CloudCoreLb.Fuzz.Engine;

/// <summary>
/// Derives new inputs from a corpus entry with the usual havoc steps (AFL, libFuzzer): bit flips, interesting values,
/// arithmetic, block insert / delete / copy, dictionary words and splicing with another entry. Seeded, so a run is
/// reproducible when coverage feedback is off.
/// </summary>
internal sealed class Mutator(Random random, IReadOnlyList<byte[]> dictionary, int maxLength)
{
    private static readonly byte[] s_interesting8 = [0, 1, 2, 0x7F, 0x80, 0xFF, 16, 32, 64, 100, 127, 255, (byte)'\n', (byte)' ', (byte)'"', (byte)'0', (byte)'9', (byte)':'];
    private static readonly ushort[] s_interesting16 = [0, 1, 0x7FFF, 0x8000, 0xFFFF, 0x0100, 0x00FF, 20, 24, 28, 40, 60, 4095, 4096];
    private static readonly uint[] s_interesting32 = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xE0000012, 0x0A0A66F2, 65536, 16, 20];

    public byte[] Mutate(byte[] parent, IReadOnlyList<byte[]> corpus)
    {
        var data = new List<byte>(parent);
        var steps = 1 << random.Next(4);
        for (var s = 0; s < steps; s++)
        {
            Step(data, corpus);
        }

        if (data.Count > maxLength)
        {
            data.RemoveRange(maxLength, data.Count - maxLength);
        }

        return [.. data];
    }

    /// <summary>An input of random bytes, now and then, so the run does not depend only on the seeds' shape.</summary>
    public byte[] Random()
    {
        var data = new byte[random.Next(Math.Min(maxLength, 256) + 1)];
        random.NextBytes(data);
        return data;
    }

    private void Step(List<byte> data, IReadOnlyList<byte[]> corpus)
    {
        switch (random.Next(data.Count == 0 ? 2 : 12))
        {
            case 0:
                InsertBlock(data, RandomBytes(1 + random.Next(8)));
                break;
            case 1:
                if (dictionary.Count > 0)
                {
                    InsertBlock(data, dictionary[random.Next(dictionary.Count)]);
                }
                else
                {
                    InsertBlock(data, [s_interesting8[random.Next(s_interesting8.Length)]]);
                }

                break;
            case 2:
                data[random.Next(data.Count)] ^= (byte)(1 << random.Next(8));
                break;
            case 3:
                data[random.Next(data.Count)] = s_interesting8[random.Next(s_interesting8.Length)];
                break;
            case 4:
                data[random.Next(data.Count)] = (byte)random.Next(256);
                break;
            case 5:
                var at = random.Next(data.Count);
                data[at] = (byte)(data[at] + random.Next(-16, 17));
                break;
            case 6:
                WriteWord(data, 2);
                break;
            case 7:
                WriteWord(data, 4);
                break;
            case 8:
                var start = random.Next(data.Count);
                data.RemoveRange(start, Math.Min(data.Count - start, 1 + random.Next(Math.Min(64, data.Count))));
                break;
            case 9:
                var from = random.Next(data.Count);
                var length = Math.Min(data.Count - from, 1 + random.Next(64));
                InsertBlock(data, data.GetRange(from, length).ToArray());
                break;
            case 10:
                if (dictionary.Count > 0 && data.Count > 0)
                {
                    // Overwrite instead of insert: keeps lengths and offsets of binary formats intact.
                    var word = dictionary[random.Next(dictionary.Count)];
                    var pos = random.Next(data.Count);
                    for (var i = 0; i < word.Length && pos + i < data.Count; i++)
                    {
                        data[pos + i] = word[i];
                    }
                }

                break;
            default:
                Splice(data, corpus[random.Next(corpus.Count)]);
                break;
        }
    }

    private void InsertBlock(List<byte> data, byte[] block) => data.InsertRange(random.Next(data.Count + 1), block);

    private void WriteWord(List<byte> data, int size)
    {
        if (data.Count < size)
        {
            return;
        }

        Span<byte> word = stackalloc byte[4];
        var bigEndian = random.Next(2) == 0;
        if (size == 2)
        {
            var value = s_interesting16[random.Next(s_interesting16.Length)];
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt16BigEndian(word, value);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(word, value);
            }
        }
        else
        {
            var value = s_interesting32[random.Next(s_interesting32.Length)];
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt32BigEndian(word, value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(word, value);
            }
        }

        var at = random.Next(data.Count - size + 1);
        for (var i = 0; i < size; i++)
        {
            data[at + i] = word[i];
        }
    }

    // Head of this input, tail of another: how two valid shapes combine into one neither seed has.
    private void Splice(List<byte> data, byte[] other)
    {
        if (other.Length == 0)
        {
            return;
        }

        var cut = random.Next(data.Count + 1);
        var otherCut = random.Next(other.Length);
        data.RemoveRange(cut, data.Count - cut);
        data.AddRange(other.AsSpan(otherCut).ToArray());
    }

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
