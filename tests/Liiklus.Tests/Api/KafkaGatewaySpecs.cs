using Confluent.Kafka;
using Grpc.Core;
using Liiklus.Protocol;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.Memory;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Api;

/// <summary>The gateway over gRPC with <c>storage_records_type = KAFKA</c>, on librdkafka's mock cluster.</summary>
public sealed class KafkaGatewaySpecs(MockKafkaCluster cluster) : IClassFixture<MockKafkaCluster>
{
    [Fact]
    public async Task Subscribe_on_an_unknown_topic_creates_it_as_the_broker_does_and_assigns_its_partitions()
    {
        await using var gateway = await TestGateway.StartAsync(cluster.GatewayHocon);
        using var subscription = gateway.Client.Subscribe(NewName("topic"), NewName("group"));

        // The mock broker auto-creates a topic with 4 partitions.
        var assignments = await subscription.NextAsync(4);

        Assert.Equal([0u, 1u, 2u, 3u], assignments.Select(a => a.Partition).Order());
    }

    [Fact]
    public async Task Subscribe_on_a_topic_the_brokers_do_not_create_answers_unavailable()
    {
        await using var gateway = await TestGateway.StartAsync(cluster.GatewayHocon);
        var topic = NewName("topic");
        cluster.AnswerUnknownTopic(topic);
        using var subscription = gateway.Client.Subscribe(topic, NewName("group"));

        var refused = await Assert.ThrowsAsync<RpcException>(() => subscription.Completion.WaitAsync(LiiklusClientExtensions.Deadline));

        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
    }

    [Fact]
    public async Task Receive_resumes_after_the_last_ack_on_a_restarted_gateway()
    {
        var positions = new InMemoryPositionsStorage();
        var topic = NewName("topic");
        var group = NewName("group");
        uint partition;
        ulong acked;
        await using (var first = await StartGatewayAsync(positions))
        {
            partition = (await first.Client.PublishAsync(topic, "v0", key: "k")).Partition;
            for (var i = 1; i < 10; i++)
            {
                await first.Client.PublishAsync(topic, $"v{i}", key: "k");
            }

            using var subscription = first.Client.Subscribe(topic, group);
            using var receive = first.Client.Receive(await AssignmentFor(subscription, partition));
            var records = await receive.ReadAsync(10);
            Assert.Equal(Enumerable.Range(0, 10).Select(i => $"v{i}"), records.Select(r => r.Record.Value.ToStringUtf8()));
            acked = records[4].Record.Offset;
            await first.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = acked });
        }

        await using var second = await StartGatewayAsync(positions);
        using var resubscription = second.Client.Subscribe(topic, group);
        using var resumed = second.Client.Receive(await AssignmentFor(resubscription, partition));
        var rest = await resumed.ReadAsync(5);

        Assert.Equal(Enumerable.Range(5, 5).Select(i => $"v{i}"), rest.Select(r => r.Record.Value.ToStringUtf8()));
        Assert.Equal(acked + 1, rest[0].Record.Offset);
        var offsets = await second.Client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group });
        Assert.Equal(acked, offsets.Offsets[partition]);
    }

    [Fact]
    public async Task A_record_kafka_refuses_as_too_large_answers_resource_exhausted()
    {
        // Below the gateway's own 1 MiB limit, above the producer's message.max.bytes passed through from HOCON.
        await using var gateway = await TestGateway.StartAsync(cluster.GatewayHocon + "\nliiklus.storage.kafka.properties { \"message.max.bytes\" = 10000 }");

        var refused = await Assert.ThrowsAsync<RpcException>(() => gateway.Client.PublishAsync(NewName("topic"), new string('x', 20_000), key: "k"));

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
    }

    [Fact]
    public async Task End_offsets_are_the_last_offsets_with_empty_partitions_as_max_uint64()
    {
        await using var gateway = await TestGateway.StartAsync(cluster.GatewayHocon);
        var topic = NewName("topic");
        cluster.CreateTopic(topic, 4);
        var published = await gateway.Client.PublishAsync(topic, "v", key: "k");

        var endOffsets = (await gateway.Client.GetEndOffsetsAsync(new GetEndOffsetsRequest { Topic = topic })).Offsets;
        var unknown = (await gateway.Client.GetEndOffsetsAsync(new GetEndOffsetsRequest { Topic = NewName("topic") })).Offsets;

        Assert.Equal(4, endOffsets.Count);
        Assert.Equal(published.Offset, endOffsets[published.Partition]);
        Assert.All(endOffsets.Where(e => e.Key != published.Partition), e => Assert.Equal(ulong.MaxValue, e.Value));
        Assert.Empty(unknown);
    }

    [Fact]
    public async Task A_client_that_stops_reading_one_partition_does_not_hold_back_the_others()
    {
        const int perPartition = 2000;
        // A small reader buffer, so the stalled partition is paused in Kafka rather than only held in buffers.
        await using var gateway = await TestGateway.StartAsync(cluster.GatewayHocon + "\nliiklus.storage.kafka.reader-buffer.records = 100");
        var topic = NewName("topic");
        cluster.CreateTopic(topic, 4);
        using (var producer = PlainKafkaClients.Producer(cluster))
        {
            // 1 KB records, 2 MB per partition: more than the gRPC and HTTP/2 buffers ahead of a client that stops.
            var value = new byte[1024];
            for (var p = 0; p < 4; p++)
            {
                for (var i = 0; i < perPartition; i++)
                {
                    producer.Produce(new TopicPartition(topic, p), new Message<byte[]?, byte[]> { Value = value });
                }
            }

            producer.Flush(LiiklusClientExtensions.Deadline);
        }

        using var subscription = gateway.Client.Subscribe(topic, NewName("group"));
        var assignments = (await subscription.NextAsync(4)).OrderBy(a => a.Partition).ToList();
        var receives = assignments.Select(a => gateway.Client.Receive(a)).ToList();
        try
        {
            var stalledFirst = await receives[0].ReadAsync(1);
            var others = await Task.WhenAll(receives.Skip(1).Select(r => r.ReadAsync(perPartition)));

            Assert.All(others, records => Assert.Equal(Enumerable.Range(0, perPartition).Select(o => (ulong)o), records.Select(r => r.Record.Offset)));
            var stalledRest = await receives[0].ReadAsync(perPartition - 1);
            Assert.Equal(Enumerable.Range(0, perPartition).Select(o => (ulong)o), stalledFirst.Concat(stalledRest).Select(r => r.Record.Offset));
        }
        finally
        {
            receives.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public async Task Gateway_started_while_kafka_is_down_answers_unavailable_until_kafka_is_back()
    {
        using var ownCluster = new MockKafkaCluster();
        ownCluster.SetBrokerDown();
        await using var gateway = await TestGateway.StartAsync(ownCluster.GatewayHocon + """

            liiklus.storage.kafka.delivery-timeout = 1s
            liiklus.storage.kafka.request-timeout = 1s
            """);
        var topic = NewName("topic");

        var publish = await Assert.ThrowsAsync<RpcException>(() => gateway.Client.PublishAsync(topic, "v", key: "k"));
        var endOffsets = await Assert.ThrowsAsync<RpcException>(() =>
            gateway.Client.GetEndOffsetsAsync(new GetEndOffsetsRequest { Topic = topic }).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, publish.StatusCode);
        Assert.Equal(StatusCode.Unavailable, endOffsets.StatusCode);

        ownCluster.SetBrokerUp();

        var published = await Eventually.Until(
            async () =>
            {
                try
                {
                    return await gateway.Client.PublishAsync(topic, "v", key: "k");
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
                {
                    return null;
                }
            },
            reply => reply is not null,
            "a publish once Kafka is back");
        Assert.Equal(topic, published!.Topic);
    }

    private Task<TestGateway> StartGatewayAsync(IPositionsStorage positions) =>
        TestGateway.StartAsync(cluster.GatewayHocon, services => services.AddSingleton(positions));
}
