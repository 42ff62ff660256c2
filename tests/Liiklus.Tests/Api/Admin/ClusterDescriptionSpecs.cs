using Liiklus.Protocol;
using Liiklus.Protocol.Admin;
using Liiklus.Storage.Positions.Memory;
using Liiklus.Storage.Records.Memory;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Api.Admin;

/// <summary>DescribeCluster on two gateways in one process: every member, and each group's coordinator on exactly one of them.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterDescriptionSpecs : IAsyncLifetime
{
    private readonly InMemoryRecordsStorage _records = new(new InMemoryRecordsOptions(PartitionsPerTopic: 2));
    private readonly InMemoryPositionsStorage _positions = new();
    private readonly List<TestGateway> _nodes = [];

    public async Task InitializeAsync() =>
        _nodes.AddRange(await new SharedStorageNodes(_records, _positions).StartClusterAsync(2));

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Describes_every_member_and_the_node_that_runs_each_groups_coordinator()
    {
        const string topic = "placed";
        await _nodes[0].Client.PublishAsync(topic, "a record", key: "k");
        var groups = Enumerable.Range(0, 12).Select(i => $"group-{i}").ToList();
        foreach (var group in groups)
        {
            // An ack goes through the group's coordinator, which sharding starts on one of the nodes.
            await _nodes[0].Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = 0, Offset = 0 });
        }

        var described = await _nodes[1].Admin.DescribeClusterAsync(new DescribeClusterRequest());

        Assert.Equal(_nodes.Select(n => n.ClusterAddress).Order(StringComparer.Ordinal), described.Nodes.Select(n => n.Address));
        Assert.All(described.Nodes, node => Assert.Equal(("Up", true, true), (node.Status, node.Reachable, node.CoordinatorsKnown)));
        Assert.Equal(_nodes[1].ClusterAddress, described.Nodes.Single(n => n.Self).Address);
        Assert.Single(described.Nodes, n => n.Leader);
        var placed = described.Nodes.SelectMany(n => n.CoordinatedGroups.Select(g => (g.Topic, g.Group))).ToList();
        Assert.Equal(groups.Select(g => (topic, g)).Order(), placed.Where(p => p.Topic == topic).Order());
    }
}
