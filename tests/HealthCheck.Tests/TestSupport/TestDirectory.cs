namespace CloudCoreLb.HealthCheck.Tests.TestSupport;

/// <summary>
/// A scratch directory (mode 0755) under the test output directory rather than /tmp: /tmp is world-writable, which
/// ScriptSecurity rightly refuses as a parent of a script.
/// </summary>
internal sealed class TestDirectory : IDisposable
{
    public TestDirectory()
    {
        Path = System.IO.Path.Combine(AppContext.BaseDirectory, "scratch", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
        File.SetUnixFileMode(System.IO.Path.GetDirectoryName(Path)!, Mode755);
        File.SetUnixFileMode(Path, Mode755);
    }

    public const UnixFileMode Mode755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public string Path { get; }

    /// <summary>Writes an executable (0755) shell script and returns its path.</summary>
    public string WriteScript(string name, string body, UnixFileMode mode = Mode755)
    {
        var path = System.IO.Path.Combine(Path, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, mode);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
