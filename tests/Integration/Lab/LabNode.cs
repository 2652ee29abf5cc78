namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>One host of the lab: a network namespace with <c>eth0</c> on the lab bridge.</summary>
internal sealed record LabNode(int Index, string Netns, string Address)
{
    /// <summary>The node name daemons select their per-node config with.</summary>
    public string Name => $"node{Index}";
}
