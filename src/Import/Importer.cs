using CloudCoreLb.Import.Conversion;
using CloudCoreLb.Import.Haproxy;
using CloudCoreLb.Import.Keepalived;

namespace CloudCoreLb.Import;

/// <summary>Reads the input files, parses them and converts them: the whole import as one call.</summary>
public static class Importer
{
    /// <summary>Converts the files to YAML; throws <see cref="ImportException"/> when an input cannot be read or parsed.</summary>
    public static string Run(IReadOnlyList<string> keepalivedFiles, string? haproxyFile, ImportOptions options, ImportDiagnostics diagnostics)
    {
        var keepalived = new List<KeepalivedConfig>();
        foreach (var file in keepalivedFiles)
        {
            var lines = KeepalivedLexer.ForFiles(diagnostics).Read(file);
            keepalived.Add(new KeepalivedParser(diagnostics).Parse(file, lines));
        }

        HaproxyConfig? haproxy = null;
        if (haproxyFile is not null)
        {
            string text;
            try
            {
                text = File.ReadAllText(haproxyFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ImportException(haproxyFile, 0, $"cannot read: {ex.Message}");
            }

            haproxy = new HaproxyParser(diagnostics).Parse(haproxyFile, new HaproxyLexer(diagnostics).Read(haproxyFile, text));
        }

        return new ImportConverter(options, diagnostics).Convert(keepalived, haproxy);
    }
}
