using CloudCoreLb.HealthCheck.Probes;
using CloudCoreLb.HealthCheck.Tests.TestSupport;

namespace CloudCoreLb.HealthCheck.Tests.Probes;

public sealed class ScriptSecurityTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [RootFact]
    public void RootOwnedScriptInSafeDirectories_IsAccepted()
    {
        var script = _dir.WriteScript("ok.sh", "exit 0");

        Assert.Empty(ScriptSecurity.Validate(script, null));
    }

    [Fact]
    public void RelativePath_IsRejected()
    {
        var error = Assert.Single(ScriptSecurity.Validate("health_check.sh", null));
        Assert.Contains("the path must be absolute", error);
    }

    [Fact]
    public void MissingFile_IsRejected()
    {
        var path = Path.Combine(_dir.Path, "absent.sh");

        var error = Assert.Single(ScriptSecurity.Validate(path, null));

        Assert.Equal($"script '{path}': file not found", error);
    }

    [Fact]
    public void Directory_IsNotARegularFile()
    {
        var sub = Directory.CreateDirectory(Path.Combine(_dir.Path, "sub")).FullName;

        var error = Assert.Single(ScriptSecurity.Validate(sub, null));

        Assert.Contains("is not a regular file", error);
    }

    [Fact]
    public void FileWithoutExecuteBits_IsRejected()
    {
        var script = _dir.WriteScript("noexec.sh", "exit 0", UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Contains(ScriptSecurity.Validate(script, null), e => e.Contains("is not executable by root (mode 0600)", StringComparison.Ordinal));
    }

    [Fact]
    public void GroupWritableFile_IsRejected()
    {
        var script = _dir.WriteScript("gw.sh", "exit 0", TestDirectory.Mode755 | UnixFileMode.GroupWrite);

        Assert.Contains(ScriptSecurity.Validate(script, null), e => e.Contains("is writable by group or others (mode 0775)", StringComparison.Ordinal));
    }

    [Fact]
    public void WorldWritableParentDirectory_IsRejected()
    {
        var sub = Directory.CreateDirectory(Path.Combine(_dir.Path, "open")).FullName;
        File.SetUnixFileMode(sub, TestDirectory.Mode755 | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
        var script = Path.Combine(sub, "s.sh");
        File.WriteAllText(script, "#!/bin/sh\n");
        File.SetUnixFileMode(script, TestDirectory.Mode755);

        Assert.Contains(ScriptSecurity.Validate(script, null), e => e.StartsWith($"directory '{sub}' of script", StringComparison.Ordinal)
            && e.Contains("writable by group or others (mode 0777)", StringComparison.Ordinal));
    }

    [RootFact]
    public void FileOwnedByAnotherUser_IsRejected()
    {
        var script = _dir.WriteScript("foreign.sh", "exit 0");
        Tmds.Linux.LibC.geteuid(); // root, per RootFact
        ChangeOwner(script, 4321);

        Assert.Contains(ScriptSecurity.Validate(script, null), e => e.Contains("is owned by uid 4321, not by root or root", StringComparison.Ordinal));
    }

    [RootFact]
    public void FileOwnedByTheRunAsUser_IsAccepted()
    {
        var nobody = UnixAccount.Resolve("nobody");
        var script = _dir.WriteScript("mine.sh", "exit 0");
        ChangeOwner(script, nobody.Uid);

        Assert.Empty(ScriptSecurity.Validate(script, nobody));
    }

    [Fact]
    public void RootOnlyScriptRunAsNobody_IsNotExecutable()
    {
        var nobody = UnixAccount.Resolve("nobody");
        var script = _dir.WriteScript("rootonly.sh", "exit 0", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        Assert.Contains(ScriptSecurity.Validate(script, nobody), e => e.Contains("is not executable by 'nobody' (uid 65534)", StringComparison.Ordinal));
    }

    [Fact]
    public void OptionsValidate_ReportsTheSecurityErrors()
    {
        var errors = new ExecScriptProbeOptions { Command = Path.Combine(_dir.Path, "absent.sh") + " arg" }.Validate();

        Assert.Contains(errors, e => e.EndsWith("file not found", StringComparison.Ordinal));
    }

    [Fact]
    public void SymlinkInAWorldWritableDirectory_IsRejectedEvenIfItsTargetIsSafe()
    {
        var target = _dir.WriteScript("real.sh", "exit 0");
        var open = Directory.CreateDirectory(Path.Combine(_dir.Path, "links")).FullName;
        File.SetUnixFileMode(open, TestDirectory.Mode755 | UnixFileMode.OtherWrite);
        var link = Path.Combine(open, "check.sh");
        File.CreateSymbolicLink(link, target);

        var errors = ScriptSecurity.Validate(link, null);

        Assert.Contains(errors, e => e.StartsWith($"directory '{open}' of script '{link}'", StringComparison.Ordinal));
    }

    [RootFact]
    public void SymlinkToASafeScript_IsAccepted()
    {
        var target = _dir.WriteScript("real.sh", "exit 0");
        var link = Path.Combine(_dir.Path, "check.sh");
        File.CreateSymbolicLink(link, target);

        Assert.Empty(ScriptSecurity.Validate(link, null));
    }

    private static unsafe void ChangeOwner(string path, uint uid)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            Assert.Equal(0, Tmds.Linux.LibC.chown(p, uid, 0));
        }
    }
}
