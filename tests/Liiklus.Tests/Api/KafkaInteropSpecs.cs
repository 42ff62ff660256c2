using System.Text;
using Confluent.Kafka;
using Google.Protobuf;
using Liiklus.Storage.Records.Memory;
using Liiklus.Protocol;
using Liiklus.Storage.Records;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;
using ContentFormat = Liiklus.Protocol.ReceiveRequest.Types.ContentFormat;

namespace Liiklus.Tests.Api;

/// <summary>
/// The gateway shares Kafka with services that use plain Kafka clients: their records reach Liiklus clients, and
/// the gateway's events are CloudEvents any Kafka binding reads.
/// </summary>
public sealed class KafkaInteropSpecs(MockKafkaCluster cluster) : IClassFixture<MockKafkaCluster>, IAsyncLifetime
{
    private TestGateway? _gateway;

    private LiiklusService.LiiklusServiceClient Client => _gateway!.Client;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(cluster.GatewayHocon);

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }

    [Fact]
    public async Task Records_of_a_plain_producer_reach_a_receive_stream_as_values_and_as_cloudevents()
    {
        var topic = NewName("topic");
        cluster.CreateTopic(topic, 4);
        using var producer = PlainKafkaClients.Producer(cluster);
        var plain = await producer.ProduceAsync(topic, new Message<byte[]?, byte[]> { Key = "k"u8.ToArray(), Value = "plain value"u8.ToArray() });
        // Binary mode of the CloudEvents Kafka binding: datacontenttype travels as content-type.
        await producer.ProduceAsync(topic, new Message<byte[]?, byte[]>
        {
            Key = "k"u8.ToArray(),
            Value = """{"amount":7}"""u8.ToArray(),
            Headers = new Headers
            {
                { "ce_specversion", "1.0"u8.ToArray() },
                { "ce_id", "evt-42"u8.ToArray() },
                { "ce_type", "com.example.paid"u8.ToArray() },
                { "ce_source", "/payments"u8.ToArray() },
                { "ce_tenant", "acme"u8.ToArray() },
                { "content-type", "application/json"u8.ToArray() },
            },
        });
        using var subscription = Client.Subscribe(topic, NewName("group"));

        using var receive = Client.Receive(await AssignmentFor(subscription, (uint)plain.Partition.Value), ContentFormat.LiiklusEvent);
        var replies = await receive.ReadAsync(2);

        Assert.Equal(ReceiveReply.ReplyOneofCase.Record, replies[0].ReplyCase);
        Assert.Equal("plain value", replies[0].Record.Value.ToStringUtf8());
        Assert.Equal("k", replies[0].Record.Key.ToStringUtf8());
        var cloudEvent = replies[1].LiiklusEventRecord.Event;
        Assert.Equal("evt-42", cloudEvent.Id);
        Assert.Equal("com.example.paid", cloudEvent.Type);
        Assert.Equal("/payments", cloudEvent.Source);
        Assert.Equal("application/json", cloudEvent.DataContentType);
        Assert.Equal("""{"amount":7}""", cloudEvent.Data.ToStringUtf8());
        Assert.Equal("acme", cloudEvent.Extensions["tenant"]);
    }

    [Fact]
    public async Task Events_published_through_the_gateway_are_read_by_a_plain_consumer_with_their_ce_headers()
    {
        var topic = NewName("topic");
        var published = await Client.PublishAsync(new PublishRequest
        {
            Topic = topic,
            Key = ByteString.CopyFromUtf8("k"),
            LiiklusEvent = NewEvent("application/json", """{"amount":42}""", ("tenant", "acme")),
        });
        using var consumer = PlainKafkaClients.Consumer(cluster);
        consumer.Assign(new TopicPartitionOffset(topic, (int)published.Partition, (long)published.Offset));

        var message = consumer.ConsumeOne().Message;

        var headers = message.Headers.ToDictionary(h => h.Key, h => Encoding.UTF8.GetString(h.GetValueBytes()));
        Assert.Equal("1.0", headers["ce_specversion"]);
        Assert.Equal("evt-1", headers["ce_id"]);
        Assert.Equal("com.example.order.created", headers["ce_type"]);
        Assert.Equal("/orders", headers["ce_source"]);
        Assert.Equal("application/json", headers["ce_datacontenttype"]);
        Assert.Equal("2026-11-25T10:00:00Z", headers["ce_time"]);
        Assert.Equal("acme", headers["ce_tenant"]);
        Assert.Equal("""{"amount":42}""", Encoding.UTF8.GetString(message.Value));
        Assert.Equal("k", Encoding.UTF8.GetString(message.Key!));
    }

    [Fact]
    public async Task A_key_lands_on_the_same_partition_from_a_java_compatible_producer_and_from_the_gateway()
    {
        var topic = NewName("topic");
        cluster.CreateTopic(topic, 32);
        using var producer = PlainKafkaClients.Producer(cluster);
        var keys = Enumerable.Range(0, 40).Select(i => $"user-{i}").Append("foobar").Append("21").ToList();

        foreach (var key in keys)
        {
            var theirs = await producer.ProduceAsync(topic, new Message<byte[]?, byte[]> { Key = Encoding.UTF8.GetBytes(key), Value = [1] });
            var ours = await Client.PublishAsync(topic, "v", key);

            Assert.Equal((uint)theirs.Partition.Value, ours.Partition);
            Assert.Equal(Murmur2Partitioner.PartitionFor(Encoding.UTF8.GetBytes(key), 32), theirs.Partition.Value);
        }
    }
}
