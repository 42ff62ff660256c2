using Confluent.Kafka;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.Kafka;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Storage.KafkaPositions;

/// <summary>
/// The positions contract as consumer-group offsets on librdkafka's mock cluster, plus what Kafka's own clients see:
/// the committed offsets a plain consumer reads, and a plain consumer's commits read back as positions.
/// </summary>
public sealed class KafkaPositionsStorageSpecs(MockKafkaCluster cluster)
    : PositionsStorageContract, IClassFixture<MockKafkaCluster>, IDisposable
{
    private readonly List<KafkaPositionsStorage> _storages = [];

    /// <summary>Kafka commits the acked offset + 1, so the largest ack it keeps is one below the largest offset.</summary>
    protected override long LargestOffset => long.MaxValue - 1;

    /// <summary>The mock cluster has no OffsetDelete, and librdkafka aborts the process when a broker refuses it as unsupported.</summary>
    protected override bool Deletes => false;

    protected override IPositionsStorage CreateStorage() => new TopicsCreatedOnFirstAck(NewStorage(Options() with { DeleteOffsets = false }), cluster);

    public void Dispose() => _storages.ForEach(storage => storage.Dispose());

    [Fact]
    public async Task An_ack_commits_the_next_offset_to_read_under_the_name_or_its_version_form()
    {
        var topic = cluster.NewTopic(4);
        var storage = NewStorage();

        await storage.UpdateAsync(topic, new GroupId("orders", 0), 1, 41, CancellationToken.None);
        await storage.UpdateAsync(topic, new GroupId("orders", 3), 2, 7, CancellationToken.None);

        Assert.Equal([Offset.Unset, new Offset(42), Offset.Unset, Offset.Unset], await CommittedAsync("orders", topic, 4));
        Assert.Equal([Offset.Unset, Offset.Unset, new Offset(8), Offset.Unset], await CommittedAsync("orders-v3", topic, 4));
    }

    [Fact]
    public async Task The_group_id_prefix_goes_before_every_group_id()
    {
        var topic = cluster.NewTopic(1);
        var storage = NewStorage();
        var prefixed = NewStorage(Options() with { GroupIdPrefix = "liiklus." });

        await prefixed.UpdateAsync(topic, new GroupId("billing", 2), 0, 5, CancellationToken.None);

        Assert.Equal([new Offset(6)], await CommittedAsync("liiklus.billing-v2", topic, 1));
        Assert.Equal([Offset.Unset], await CommittedAsync("billing-v2", topic, 1));
        Assert.Equal(5, (await prefixed.GetAsync(topic, new GroupId("billing", 2), CancellationToken.None))[0]);
        Assert.Empty(await storage.GetAsync(topic, new GroupId("billing", 2), CancellationToken.None));
    }

    [Fact]
    public async Task A_plain_consumer_joining_the_group_starts_right_after_the_last_ack()
    {
        var topic = cluster.NewTopic(1);
        using (var producer = PlainKafkaClients.Producer(cluster))
        {
            for (var i = 0; i < 10; i++)
            {
                await producer.ProduceAsync(new TopicPartition(topic, 0), new Message<byte[]?, byte[]> { Value = [(byte)i] });
            }
        }

        await NewStorage().UpdateAsync(topic, new GroupId("interop", 0), 0, 6, CancellationToken.None);

        using var consumer = PlainKafkaClients.Consumer(cluster, groupId: "interop");
        consumer.Subscribe(topic);
        var first = consumer.ConsumeOne();
        consumer.Close();

        Assert.Equal(7, first.Offset.Value);
        Assert.Equal([7], first.Message.Value);
    }

    [Fact]
    public async Task An_ack_of_a_group_a_plain_consumer_is_a_live_member_of_answers_unavailable_saying_so()
    {
        var topic = cluster.NewTopic(1);
        using (var producer = PlainKafkaClients.Producer(cluster))
        {
            await producer.ProduceAsync(new TopicPartition(topic, 0), new Message<byte[]?, byte[]> { Value = [1] });
        }

        using var consumer = PlainKafkaClients.Consumer(cluster, groupId: "live");
        consumer.Subscribe(topic);
        consumer.ConsumeOne();

        var unavailable = await Assert.ThrowsAsync<Liiklus.Storage.StorageUnavailableException>(() =>
            NewStorage().UpdateAsync(topic, new GroupId("live", 0), 0, 0, CancellationToken.None));
        consumer.Close();

        Assert.Contains("consumer group 'live' has live members", unavailable.Message);
    }

    [Fact]
    public async Task Offsets_a_plain_consumer_commits_read_as_positions_one_below()
    {
        var topic = cluster.NewTopic(2);
        using (var consumer = PlainKafkaClients.Consumer(cluster, groupId: "committer"))
        {
            consumer.Commit([new TopicPartitionOffset(topic, 0, 10), new TopicPartitionOffset(topic, 1, 0)]);
        }

        var positions = await NewStorage().GetAsync(topic, new GroupId("committer", 0), CancellationToken.None);

        // 10 = "read 10 next", so 9 was the last processed; 0 = nothing processed, start at 0.
        Assert.Equal(new Dictionary<int, long> { [0] = 9, [1] = -1 }, positions);
    }

    [Fact]
    public async Task An_offset_kafka_cannot_commit_is_refused_naming_the_field()
    {
        var refused = await Assert.ThrowsAsync<PositionOutOfRangeException>(() =>
            NewStorage().UpdateAsync(cluster.NewTopic(1), new GroupId("g", 0), 0, long.MaxValue, CancellationToken.None));

        Assert.Equal("offset", refused.Field);
        Assert.Contains("9223372036854775807", refused.Message);
    }

    [Fact]
    public async Task An_ack_of_a_partition_kafka_does_not_have_is_refused_naming_the_partition()
    {
        var topic = cluster.NewTopic(2);

        var refused = await Assert.ThrowsAsync<PositionOutOfRangeException>(() =>
            NewStorage().UpdateAsync(topic, new GroupId("g", 0), 5, 1, CancellationToken.None));

        Assert.Equal("partition", refused.Field);
        Assert.Contains($"no partition 5 of topic '{topic}'", refused.Message);
    }

    [Fact]
    public async Task Without_listing_versions_up_to_the_readers_own_are_read_and_later_ones_are_not()
    {
        var topic = cluster.NewTopic(1);
        var storage = NewStorage();
        foreach (var version in new uint[] { 0, 2, 5 })
        {
            await storage.UpdateAsync(topic, new GroupId("g", version), 0, version * 10, CancellationToken.None);
        }

        var forVersion2 = await storage.GetVersionsForAsync(topic, new GroupId("g", 2), CancellationToken.None);
        var all = await storage.GetAllVersionsAsync(topic, "g", CancellationToken.None);

        Assert.Equal([0u, 2u], forVersion2.Keys.Order());
        Assert.Equal(20, forVersion2[2][0]);
        Assert.Equal([0u], all.Keys);
    }

    [Fact]
    public async Task An_ack_is_one_offset_commit_request()
    {
        var topic = cluster.NewTopic(4);
        var storage = NewStorage();
        await storage.UpdateAsync(topic, new GroupId("counted", 0), 0, 0, CancellationToken.None);

        var requests = await cluster.CountRequestsAsync(async () =>
        {
            for (var offset = 1; offset <= 50; offset++)
            {
                await storage.UpdateAsync(topic, new GroupId("counted", 0), offset % 4, offset, CancellationToken.None);
            }
        });

        const short offsetCommit = 8;
        Assert.Equal(50, requests.GetValueOrDefault(offsetCommit));
        // The coordinator is looked up once and cached; nothing else is asked per ack.
        Assert.True(requests.Values.Sum() - 50 <= 2, $"requests by API key: {string.Join(", ", requests)}");
    }

    [Fact]
    public async Task Listing_answers_the_groups_acked_or_read_through_this_storage_and_not_the_others()
    {
        var topic = cluster.NewTopic(2);
        await NewStorage().UpdateAsync(topic, new GroupId("elsewhere", 1), 0, 10, CancellationToken.None);
        using (var consumer = PlainKafkaClients.Consumer(cluster, groupId: "plain"))
        {
            consumer.Commit([new TopicPartitionOffset(topic, 1, 5)]);
        }

        // A node that has not seen either, as after a restart.
        var storage = NewStorage();
        await storage.UpdateAsync(topic, new GroupId("here", 0), 1, 3, CancellationToken.None);
        var before = await storage.ListGroupsAsync(topic, CancellationToken.None);
        await storage.GetVersionsForAsync(topic, new GroupId("elsewhere", 1), CancellationToken.None);
        await storage.GetAsync(topic, new GroupId("plain", 0), CancellationToken.None);
        var after = await storage.ListGroupsAsync(topic, CancellationToken.None);

        Assert.Equal(["here"], before.Select(group => group.GroupName));
        Assert.Equal(["elsewhere", "here", "plain"], after.Select(group => group.GroupName));
        Assert.Equal(new Dictionary<int, long> { [0] = 10 }, after[0].Versions[1]);
        Assert.Equal(new Dictionary<int, long> { [1] = 4 }, after[2].Versions[0]);
    }

    private KafkaPositionsOptions Options() => new(cluster.BootstrapServers)
    {
        Properties = new Dictionary<string, string> { ["reconnect.backoff.ms"] = "20", ["reconnect.backoff.max.ms"] = "200" },
    };

    private KafkaPositionsStorage NewStorage(KafkaPositionsOptions? options = null)
    {
        var storage = new KafkaPositionsStorage(options ?? Options());
        _storages.Add(storage);
        return storage;
    }

    /// <summary>The group's committed offsets as a plain consumer reads them, partition by partition.</summary>
    private async Task<List<Offset>> CommittedAsync(string groupId, string topic, int partitions)
    {
        using var consumer = PlainKafkaClients.Consumer(cluster, groupId);
        var committed = await Task.Run(() => consumer.Committed(
            Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)),
            TimeSpan.FromSeconds(10)));
        return committed.OrderBy(c => c.Partition.Value).Select(c => c.Offset).ToList();
    }
}
