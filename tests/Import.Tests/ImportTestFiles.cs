using System.Runtime.CompilerServices;

namespace CloudCoreLb.Import.Tests;

/// <summary>A temporary directory for input files, deleted with the test.</summary>
internal sealed class ImportTestFiles : IDisposable
{
    public ImportTestFiles()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("cloudcore-lb-import-").FullName;
    }

    public string Directory { get; }

    public string Write(string relativePath, string text)
    {
        var path = Path.Combine(Directory, relativePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    /// <summary>Imports <paramref name="keepalived"/> as one keepalived.conf, reading no scripts and resolving no commands.</summary>
    public (string Yaml, ImportDiagnostics Diagnostics) ImportKeepalived(string keepalived)
    {
        var path = Write("keepalived.conf", keepalived);
        var diagnostics = new ImportDiagnostics();
        var yaml = Importer.Run([path], null, new ImportOptions { ReadScript = _ => null, ResolveCommand = _ => null }, diagnostics);
        return (yaml, diagnostics);
    }

    /// <summary>tests/Import.Tests/golden in the source tree (the files are not copied to the output).</summary>
    public static string GoldenDirectory([CallerFilePath] string thisFile = "") => Path.Combine(Path.GetDirectoryName(thisFile)!, "golden");
}
