using Confluent.Kafka;
using Grpc.Core;
using Liiklus.Protocol;
using Liiklus.Protocol.Admin;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Api.Admin;

/// <summary>The admin API with records in Kafka (librdkafka's mock cluster, 4 partitions per new topic) and positions in a real Redis.</summary>
public sealed class KafkaRedisAdminApiSpecs(MockKafkaCluster kafka, RedisServer redis)
    : AdminApiContract, IClassFixture<MockKafkaCluster>, IClassFixture<RedisServer>
{
    protected override Task<TestGateway> StartGatewayAsync() => StartGatewayAsync("");

    [Fact(Skip = "librdkafka's mock cluster answers 'no record' to every ListOffsets by timestamp (a FIXME in its handler): " +
        "the browse starts at the end offsets, as the records storage contract shows for that answer")]
    public override Task Browse_from_a_timestamp_starts_at_the_first_record_at_or_after_it() =>
        base.Browse_from_a_timestamp_starts_at_the_first_record_at_or_after_it();

    // The gateway publishes an empty key as no key, as Liiklus does; other producers may write one.
    [Fact]
    public async Task Browse_tells_an_empty_key_another_producer_wrote_from_no_key()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = kafka.NewTopic(partitions: 1);
        using (var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers }).Build())
        {
            await producer.ProduceAsync(topic, new Message<byte[]?, byte[]> { Key = [], Value = "empty key"u8.ToArray() });
            await producer.ProduceAsync(topic, new Message<byte[]?, byte[]> { Key = null, Value = "no key"u8.ToArray() });
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var call = gateway.Admin.Browse(new BrowseRequest { Topic = topic }, cancellationToken: deadline.Token);
        var read = new List<BrowsedRecord>();
        while (await call.ResponseStream.MoveNext(deadline.Token))
        {
            read.Add(call.ResponseStream.Current);
        }

        Assert.Equal(["empty key", "no key"], read.Select(r => r.Value.ToStringUtf8()));
        Assert.True(read[0].HasKey);
        Assert.True(read[0].Key.IsEmpty);
        Assert.False(read[1].HasKey);
    }

    [Fact]
    public async Task A_positions_storage_that_is_down_answers_unavailable_to_describe_group_and_topic_reads_go_on()
    {
        await using var gateway = await StartGatewayAsync("liiklus.storage.redis.command-timeout = 2s");
        var topic = NewName("topic");
        var partition = (await gateway.Client.PublishAsync(topic, "v0", key: "k")).Partition;
        await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = "g", Partition = partition, Offset = 0 });

        await redis.KillAsync();
        try
        {
            var describeGroup = await SecureClients.StatusOf(() =>
                gateway.Admin.DescribeGroupAsync(new DescribeGroupRequest { Topic = topic, Group = "g" }).ResponseAsync);
            var describeTopic = await gateway.Admin.DescribeTopicAsync(new DescribeTopicRequest { Topic = topic });

            Assert.Equal(StatusCode.Unavailable, describeGroup.StatusCode);
            Assert.StartsWith("positions storage unavailable", describeGroup.Detail);
            Assert.Equal(1ul, describeTopic.Partitions.Single(p => p.Partition == partition).EndOffset);
        }
        finally
        {
            await redis.StartAsync();
        }
    }

    [Fact]
    public async Task A_records_storage_that_is_down_answers_unavailable_to_topic_reads()
    {
        using var downCluster = new MockKafkaCluster();
        downCluster.SetBrokerDown();
        await using var gateway = await TestGateway.StartAsync($"""
            {downCluster.GatewayHocon}
            {redis.GatewayHocon}
            liiklus.storage.kafka.request-timeout = 1s
            """);

        var statuses = new[]
        {
            await SecureClients.StatusOf(() => gateway.Admin.ListTopicsAsync(new ListTopicsRequest()).ResponseAsync),
            await SecureClients.StatusOf(() => gateway.Admin.DescribeTopicAsync(new DescribeTopicRequest { Topic = "orders" }).ResponseAsync),
            await SecureClients.StatusOf(() => gateway.Admin.DescribeGroupAsync(new DescribeGroupRequest { Topic = "orders", Group = "g" }).ResponseAsync),
        };

        Assert.All(statuses, status =>
        {
            Assert.Equal(StatusCode.Unavailable, status.StatusCode);
            Assert.StartsWith("records storage unavailable", status.Detail);
        });
    }

    private Task<TestGateway> StartGatewayAsync(string hocon) => TestGateway.StartAsync($"{kafka.GatewayHocon}\n{redis.GatewayHocon}\n{hocon}");
}
