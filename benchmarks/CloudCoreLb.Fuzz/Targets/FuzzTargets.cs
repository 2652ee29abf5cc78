using CloudCoreLb.Fuzz.Engine;

namespace CloudCoreLb.Fuzz.Targets;

/// <summary>Every parser of input we do not control, by name (issue 15).</summary>
internal static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new VrrpV2Target(),
        new VrrpV3Target(),
        new NetlinkTarget(),
        new ProcNetTcpTarget(),
        new KeepalivedTarget(),
        new HaproxyTarget(),
        new ConfigTarget(),
        new ControlTarget(),
    ];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
