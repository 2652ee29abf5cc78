using System.Runtime.InteropServices;
using SharpFuzz.Common;

namespace CloudCoreLb.Fuzz.Engine;

/// <summary>
/// The edge bitmap that SharpFuzz's instrumentation writes (<see cref="Trace.SharedMem"/>, AFL's 64 KiB layout: one
/// counter per hashed pair of consecutive branches). Under AFL the fuzzer owns it; in-process we own it, so the runner
/// can keep every input that reached a new edge or a new hit-count bucket, as AFL does. Without instrumented
/// assemblies (a plain build, the CI run) the map stays zero and the runner is a mutation fuzzer over the seeds.
/// </summary>
internal static unsafe class CoverageMap
{
    public const int Size = 1 << 16;

    private static readonly byte* s_trace = (byte*)NativeMemory.AllocZeroed(Size);

    // Per edge, the hit-count buckets any input has reached so far (AFL's "virgin bits", inverted).
    private static readonly byte[] s_seen = new byte[Size];

    private static int s_edges;

    static CoverageMap() => Trace.SharedMem = s_trace;

    /// <summary>Edges (branch pairs) any input has reached since the process started.</summary>
    public static int Edges => s_edges;

    /// <summary>Points the instrumentation at our map; call before the first instrumented code runs.</summary>
    public static void Attach() => Trace.SharedMem = s_trace;

    /// <summary>Forgets what ran before the first input (target construction, static constructors).</summary>
    public static void Clear()
    {
        NativeMemory.Clear(s_trace, Size);
        Trace.PrevLocation = 0;
    }

    /// <summary>Starts a trace; the map itself is clean, <see cref="Merge"/> clears what it read.</summary>
    public static void Reset() => Trace.PrevLocation = 0;

    /// <summary>Folds the last input's trace into what has been seen and clears it; true when it reached something new.</summary>
    public static bool Merge()
    {
        var found = false;
        var words = (ulong*)s_trace;
        for (var w = 0; w < Size / sizeof(ulong); w++)
        {
            // Most of the map is zero for any one input: skip it eight bytes at a time.
            if (words[w] == 0)
            {
                continue;
            }

            for (var i = w * sizeof(ulong); i < (w + 1) * sizeof(ulong); i++)
            {
                var hits = s_trace[i];
                if (hits == 0)
                {
                    continue;
                }

                var bucket = Bucket(hits);
                if ((s_seen[i] & bucket) == 0)
                {
                    if (s_seen[i] == 0)
                    {
                        s_edges++;
                    }

                    s_seen[i] |= bucket;
                    found = true;
                }
            }

            words[w] = 0;
        }

        return found;
    }

    // AFL's hit-count classes: a loop that runs 3 times is new after one that ran once, 40 after 33 is not.
    private static byte Bucket(byte hits) => hits switch
    {
        1 => 1,
        2 => 2,
        3 => 4,
        <= 7 => 8,
        <= 15 => 16,
        <= 31 => 32,
        <= 127 => 64,
        _ => 128,
    };
}
