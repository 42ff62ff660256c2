using Confluent.Kafka;
using Grpc.Core;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Storage.KafkaPositions;

/// <summary>
/// The gateway end to end with records and positions in Kafka (librdkafka's mock cluster, this class's own, as the
/// outage takes it down), and plain Kafka consumers sharing its consumer groups.
/// </summary>
public sealed class KafkaPositionsGatewaySpecs(MockKafkaCluster cluster) : PositionsGatewayContract, IClassFixture<MockKafkaCluster>
{
    protected override string ShortDeadlineHocon => "liiklus.storage.kafka-positions.command-timeout = 2s";

    protected override string StoreName => $"Kafka positions storage at {cluster.BootstrapServers}";

    protected override Task<TestGateway> StartGatewayAsync(string hocon = "") =>
        TestGateway.StartAsync($"""
            {hocon}
            {cluster.GatewayHocon}
            liiklus.storage.positions.type = KAFKA
            """);

    protected override Task TakeStoreDownAsync()
    {
        cluster.SetBrokerDown();
        return Task.CompletedTask;
    }

    protected override Task BringStoreBackAsync()
    {
        cluster.SetBrokerUp();
        return Task.CompletedTask;
    }

    protected override async Task AssertStoredAsync(string topic, string group, uint version, uint partition, ulong acked)
    {
        using var consumer = PlainKafkaClients.Consumer(cluster, version == 0 ? group : $"{group}-v{version}");
        var committed = await Task.Run(() => consumer.Committed([new TopicPartition(topic, (int)partition)], TimeSpan.FromSeconds(10)));

        // Kafka's "next to read": one past the ack.
        Assert.Equal((long)acked + 1, committed.Single().Offset.Value);
    }

    [Fact]
    public async Task A_plain_consumer_in_the_group_starts_right_after_the_gateways_last_ack()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = cluster.NewTopic(1);
        var group = NewName("group");
        for (var i = 0; i < 10; i++)
        {
            await gateway.Client.PublishAsync(topic, $"v{i}");
        }

        await gateway.Client.AckAsync(Ack(topic, group, 0, 6), deadline: DateTime.UtcNow + LiiklusClientExtensions.Deadline);

        using var consumer = PlainKafkaClients.Consumer(cluster, group);
        consumer.Subscribe(topic);
        var first = consumer.ConsumeOne();
        consumer.Close();
        Assert.Equal(7, first.Offset.Value);
        Assert.Equal("v7", System.Text.Encoding.UTF8.GetString(first.Message.Value));
    }

    [Fact]
    public async Task GetOffsets_reads_a_plain_consumers_commits_as_the_offset_before_and_a_commit_of_0_as_nothing_acked()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = cluster.NewTopic(2);
        var group = NewName("group");
        using (var consumer = PlainKafkaClients.Consumer(cluster, group))
        {
            consumer.Commit([new TopicPartitionOffset(topic, 0, 10), new TopicPartitionOffset(topic, 1, 0)]);
        }

        var offsets = await gateway.Client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group });

        Assert.Equal(new Dictionary<uint, ulong> { [0] = 9 }, offsets.Offsets);
    }

    [Fact]
    public async Task A_receive_after_a_plain_consumer_committed_0_starts_at_0_even_when_reset_is_latest()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = cluster.NewTopic(1);
        var group = NewName("group");
        for (var i = 0; i < 3; i++)
        {
            await gateway.Client.PublishAsync(topic, $"v{i}");
        }

        using (var consumer = PlainKafkaClients.Consumer(cluster, group))
        {
            consumer.Commit([new TopicPartitionOffset(topic, 0, 0)]);
        }

        using var subscription = gateway.Client.Subscribe(topic, group, SubscribeRequest.Types.AutoOffsetReset.Latest);
        using var receive = gateway.Client.Receive(await AssignmentFor(subscription, 0));

        Assert.Equal([0ul, 1ul, 2ul], (await receive.ReadAsync(3)).Select(r => r.Record.Offset));
    }

    [Fact]
    public async Task An_ack_of_an_offset_kafka_cannot_commit_answers_invalid_argument_naming_the_field()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = cluster.NewTopic(1);

        var refused = await Assert.ThrowsAsync<RpcException>(() => gateway.Client.AckAsync(
            Ack(topic, NewName("group"), 0, long.MaxValue),
            deadline: DateTime.UtcNow + LiiklusClientExtensions.Deadline).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith("offset: 9223372036854775807", refused.Status.Detail);
    }
}
