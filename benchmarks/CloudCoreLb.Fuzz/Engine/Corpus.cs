namespace CloudCoreLb.Fuzz.Engine;

/// <summary>The seed inputs of a target: the files in corpus/NAME, copied beside the binary at build time.</summary>
internal static class Corpus
{
    public static string DefaultDirectory(string target) => Path.Combine(AppContext.BaseDirectory, "corpus", target);

    /// <summary>Every file's bytes, in name order so that a seeded run is the same run everywhere.</summary>
    public static IReadOnlyList<byte[]> Load(string directory) =>
        Directory.Exists(directory)
            ? [.. Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)]
            : [];
}
