using Liiklus.Protocol;
using Liiklus.Storage.Positions.Memory;
using Liiklus.Storage.Records.Memory;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Operations;

/// <summary>
/// Two gateways in one cluster sharing one records and one positions storage (as they would share Kafka and Redis):
/// every node reports every stored group, the same, so queries take <c>max by</c> the series' labels.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class StoredGroupClusterMetricsSpecs : IAsyncLifetime
{
    private readonly InMemoryRecordsStorage _records = new(new InMemoryRecordsOptions(PartitionsPerTopic: 8));
    private readonly InMemoryPositionsStorage _positions = new();
    private readonly List<TestGateway> _nodes = [];

    public async Task InitializeAsync() => _nodes.AddRange(await Nodes.StartClusterAsync(2));

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Every_node_reports_a_stored_group_without_consumers_with_the_same_lag()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        var partition = (await _nodes[0].Client.PublishAsync(topic, "v0", key: "k")).Partition;
        for (var i = 1; i < 5; i++)
        {
            await _nodes[1].Client.PublishAsync(topic, $"v{i}", key: "k");
        }

        await _nodes[1].Client.AckAsync(new AckRequest { Topic = topic, Group = group, GroupVersion = 3, Partition = partition, Offset = 1 });

        var labels = new[] { ("topic", topic), ("groupName", group), ("groupVersion", "3"), ("partition", partition.ToString()) };
        foreach (var node in _nodes)
        {
            using var operations = new OperationsClient(node.OperationsAddress);
            var text = await operations.ScrapeUntilAsync(t => t.Value("liiklus_group_lag", labels) == 3, $"lag 3 on {node.OperationsAddress}");
            Assert.Equal(1, text.Value("liiklus_topic_position", labels));
            Assert.Equal("true", text.Find("liiklus_topic_position", labels).Single().Labels["isLatest"]);
        }
    }

    private SharedStorageNodes Nodes => new(_records, _positions, "liiklus.metrics.positions-refresh-interval = 100ms");
}
