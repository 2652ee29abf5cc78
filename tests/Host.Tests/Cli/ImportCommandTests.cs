using CloudCoreLb.Host.Cli;
using CloudCoreLb.Import;

namespace CloudCoreLb.Host.Tests.Cli;

public sealed class ImportCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("cloudcore-lb-import-");
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Imports <paramref name="keepalived"/> as k.conf into out.yaml in the test's directory.</summary>
    private (int Code, string Input, string Output) ImportToFile(string keepalived)
    {
        var input = Write("k.conf", keepalived);
        var output = Path.Combine(_dir.FullName, "out.yaml");
        return (ImportCommand.Execute([input], null, output, new ImportOptions(), _stdout, _stderr), input, output);
    }

    [Fact]
    public void AMissingInputFileExitsWith1AndNamesTheFile()
    {
        var code = ImportCommand.Execute(["/nonexistent/keepalived.conf"], null, null, new ImportOptions(), _stdout, _stderr);

        Assert.Equal(1, code);
        Assert.Contains("/nonexistent/keepalived.conf: error: cannot read", _stderr.ToString());
        Assert.Empty(_stdout.ToString());
    }

    [Fact]
    public void NoInputAtAllExitsWith1()
    {
        Assert.Equal(1, ImportCommand.Execute([], null, null, new ImportOptions(), _stdout, _stderr));
    }

    [Fact]
    public void WarningsGoToStandardErrorAndTheYamlToTheOutputFileWithExit0()
    {
        var (code, input, output) = ImportToFile("global_defs {\n router_id lb01 extra\n}\nvrrp_instance V {\n virtual_router_id 9\n virtual_ipaddress {\n  10.0.0.9/24\n }\n}\n");

        Assert.Equal(0, code);
        Assert.Contains($"{input}:2: warning: keepalived ignores 'extra'", _stderr.ToString());
        Assert.Contains("virtual_addresses: [ 10.0.0.9/24 ]", File.ReadAllText(output));
        Assert.Empty(_stdout.ToString());
    }

    [Fact]
    public void TheImportEndsWithTheCheckOfWhatItWrote()
    {
        var (code, _, output) = ImportToFile("vrrp_instance V {\n virtual_router_id 9\n virtual_ipaddress {\n  10.0.0.9/24\n  10.0.0.9\n }\n}\n");

        Assert.Equal(0, code);
        var lines = _stderr.ToString().TrimEnd().Split('\n');
        Assert.Equal($"check: {output}: configuration is valid (1 VRRP instance(s), node '{Environment.MachineName}')", lines[^1]);
        Assert.Contains("virtual address 10.0.0.9 is listed again", _stderr.ToString());
    }

    [Fact]
    public void AResultTheCheckRejectsIsStillWrittenAndExitsWith2WithTheCheckErrors()
    {
        var (code, _, output) = ImportToFile("vrrp_script chk {\n script /nonexistent/chk.sh\n}\nvrrp_instance V {\n virtual_router_id 9\n virtual_ipaddress {\n  10.0.0.9/24\n }\n track_script {\n  chk\n }\n}\n");

        Assert.Equal(2, code);
        Assert.Contains("script: /nonexistent/chk.sh", File.ReadAllText(output));
        var stderr = _stderr.ToString();
        Assert.Contains($"check: {output}:", stderr);
        Assert.Contains("script '/nonexistent/chk.sh': file not found", stderr);
        Assert.EndsWith("error(s); fix them before deploying (cloudcore-lb check --config FILE checks again)", stderr.TrimEnd());
    }

    [Fact]
    public void TheImportCommandIsRegistered()
    {
        var root = CommandLine.Build();
        Assert.Contains(root.Subcommands, c => c.Name == "import");
    }
}
