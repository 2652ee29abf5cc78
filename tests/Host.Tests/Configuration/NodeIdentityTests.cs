using System.Net;
using CloudCoreLb.Host.Configuration;
using YamlDotNet.RepresentationModel;

namespace CloudCoreLb.Host.Tests.Configuration;

public sealed class NodeIdentityTests
{
    private static readonly IReadOnlySet<IPAddress> Local = new HashSet<IPAddress> { IPAddress.Parse("10.0.0.2"), IPAddress.Loopback };

    private static YamlMappingNode Root(params string[] nodes)
    {
        var yaml = "vrrp:\n  instances:\n    - name: A\n      nodes:\n" + string.Concat(nodes.Select(n => $"        \"{n}\": {{ priority: 100 }}\n"));
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    [Fact]
    public void ABlockNamedAfterTheHostWins() =>
        Assert.Equal("master2", NodeIdentity.Resolve(Root("10.0.0.2", "master2"), "master2", Local));

    [Fact]
    public void WithoutAHostBlockTheOneBlockKeyedByALocalAddressIsThisNode() =>
        Assert.Equal("10.0.0.2", NodeIdentity.Resolve(Root("10.0.0.1", "10.0.0.2", "10.0.0.3"), "master2", Local));

    [Fact]
    public void TwoLocalAddressBlocksAreAmbiguousAndTheHostNameStays() =>
        Assert.Equal("master2", NodeIdentity.Resolve(Root("10.0.0.2", "127.0.0.1"), "master2", Local));

    [Fact]
    public void NoLocalAddressBlockKeepsTheHostName() =>
        Assert.Equal("master2", NodeIdentity.Resolve(Root("10.0.0.1", "10.0.0.3"), "master2", Local));

    [Fact]
    public void AConfigWithoutVrrpKeepsTheHostName() =>
        Assert.Equal("master2", NodeIdentity.Resolve(null, "master2", Local));

    [Fact]
    public void TheLoaderPicksTheAddressBlockWhenNoNodeIsGiven()
    {
        var config = ConfigLoader.Parse("""
            vrrp:
              instances:
                - name: A
                  interface: lo
                  virtual_router_id: 9
                  virtual_addresses: [ 10.9.9.9/32 ]
                  nodes:
                    "127.0.0.1": { priority: 142 }
            """, "test.yaml", nodeName: null);

        Assert.Equal("127.0.0.1", config.NodeName);
        Assert.Equal(142, Assert.Single(config.VrrpInstances).Options.Priority);
    }
}
