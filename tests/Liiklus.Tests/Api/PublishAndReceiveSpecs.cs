using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Liiklus.Storage.Records.Memory;
using Liiklus.Protocol;
using Liiklus.Storage.Records;
using Liiklus.Tests.Support;
using Xunit;
using ContentFormat = Liiklus.Protocol.ReceiveRequest.Types.ContentFormat;

namespace Liiklus.Tests.Api;

public sealed class PublishAndReceiveSpecs(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly LiiklusService.LiiklusServiceClient _client = fixture.Client;

    [Fact]
    public async Task Publish_answers_the_topic_and_the_partition_a_java_producer_would_choose()
    {
        var topic = NewName("topic");

        var first = await _client.PublishAsync(topic, "v1", key: "foobar");
        var second = await _client.PublishAsync(topic, "v2", key: "foobar");

        Assert.Equal(topic, first.Topic);
        Assert.Equal((uint)Murmur2Partitioner.PartitionFor("foobar"u8, 8), first.Partition);
        Assert.Equal(first.Partition, second.Partition);
        Assert.Equal(first.Offset + 1, second.Offset);
    }

    [Fact]
    public async Task Event_round_trips_with_every_attribute_and_extension()
    {
        var topic = NewName("topic");
        var published = await _client.PublishAsync(new PublishRequest
        {
            Topic = topic,
            Key = ByteString.CopyFromUtf8("k"),
            LiiklusEvent = NewEvent("application/json", """{"amount":42}""", ("tenant", "acme"), ("traceparent", "00-abc-01")),
        });
        var assignment = await AssignmentOf(topic, published.Partition);

        using var receive = _client.Receive(assignment, ContentFormat.LiiklusEvent);
        var record = (await receive.ReadAsync(1))[0];

        Assert.Equal(ReceiveReply.ReplyOneofCase.LiiklusEventRecord, record.ReplyCase);
        var received = record.LiiklusEventRecord;
        Assert.Equal(published.Offset, received.Offset);
        Assert.Equal("k", received.Key.ToStringUtf8());
        Assert.Equal("evt-1", received.Event.Id);
        Assert.Equal("com.example.order.created", received.Event.Type);
        Assert.Equal("/orders", received.Event.Source);
        Assert.Equal("2026-11-25T10:00:00Z", received.Event.Time);
        Assert.Equal("application/json", received.Event.DataContentType);
        Assert.Equal("""{"amount":42}""", received.Event.Data.ToStringUtf8());
        Assert.Equal(new Dictionary<string, string> { ["tenant"] = "acme", ["traceparent"] = "00-abc-01" }, received.Event.Extensions);
        Assert.False(received.Replay);
        Assert.True(Math.Abs((DateTime.UtcNow - received.Timestamp.ToDateTime()).TotalMinutes) < 5);
    }

    [Fact]
    public async Task Binary_format_answers_the_raw_value_of_a_legacy_record()
    {
        var topic = NewName("topic");
        var published = await _client.PublishAsync(topic, "raw-bytes", key: "k");
        var assignment = await AssignmentOf(topic, published.Partition);

        using var receive = _client.Receive(assignment, ContentFormat.Binary);
        var record = (await receive.ReadAsync(1))[0];

        Assert.Equal(ReceiveReply.ReplyOneofCase.Record, record.ReplyCase);
        Assert.Equal("raw-bytes", record.Record.Value.ToStringUtf8());
        Assert.Equal("k", record.Record.Key.ToStringUtf8());
        Assert.Equal(published.Offset, record.Record.Offset);
    }

    [Fact]
    public async Task Liiklus_event_format_answers_a_legacy_record_as_a_plain_record()
    {
        var topic = NewName("topic");
        var published = await _client.PublishAsync(topic, "legacy", key: "k");
        var assignment = await AssignmentOf(topic, published.Partition);

        using var receive = _client.Receive(assignment, ContentFormat.LiiklusEvent);
        var record = (await receive.ReadAsync(1))[0];

        Assert.Equal(ReceiveReply.ReplyOneofCase.Record, record.ReplyCase);
        Assert.Equal("legacy", record.Record.Value.ToStringUtf8());
    }

    [Fact]
    public async Task Binary_format_answers_an_event_as_structured_cloudevents_json()
    {
        var topic = NewName("topic");
        var jsonEvent = await _client.PublishAsync(new PublishRequest
        {
            Topic = topic,
            Key = ByteString.CopyFromUtf8("k"),
            LiiklusEvent = NewEvent("application/json", """{"amount":42}""", ("tenant", "acme")),
        });
        await _client.PublishAsync(new PublishRequest
        {
            Topic = topic,
            Key = ByteString.CopyFromUtf8("k"),
            LiiklusEvent = NewEvent("text/plain", "hello"),
        });
        var assignment = await AssignmentOf(topic, jsonEvent.Partition);

        using var receive = _client.Receive(assignment, ContentFormat.Binary);
        var records = await receive.ReadAsync(2);

        using var withJsonData = JsonDocument.Parse(records[0].Record.Value.Memory);
        var json = withJsonData.RootElement;
        Assert.Equal("1.0", json.GetProperty("specversion").GetString());
        Assert.Equal("evt-1", json.GetProperty("id").GetString());
        Assert.Equal("com.example.order.created", json.GetProperty("type").GetString());
        Assert.Equal("/orders", json.GetProperty("source").GetString());
        Assert.Equal("2026-11-25T10:00:00Z", json.GetProperty("time").GetString());
        Assert.Equal("application/json", json.GetProperty("datacontenttype").GetString());
        Assert.Equal("acme", json.GetProperty("tenant").GetString());
        Assert.Equal(42, json.GetProperty("data").GetProperty("amount").GetInt32());

        using var withTextData = JsonDocument.Parse(records[1].Record.Value.Memory);
        Assert.Equal("hello", Encoding.UTF8.GetString(Convert.FromBase64String(withTextData.RootElement.GetProperty("data_base64").GetString()!)));
        Assert.False(withTextData.RootElement.TryGetProperty("data", out _));
    }

    [Fact]
    public async Task Earliest_subscription_receives_records_published_before_it_in_order_and_keeps_tailing()
    {
        var topic = NewName("topic");
        var offsets = new List<ulong>();
        for (var i = 0; i < 5; i++)
        {
            offsets.Add((await _client.PublishAsync(topic, $"v{i}", key: "k")).Offset);
        }

        var partition = (await _client.PublishAsync(topic, "v5", key: "k")).Partition;
        var assignment = await AssignmentOf(topic, partition);
        using var receive = _client.Receive(assignment);
        var before = await receive.ReadAsync(6);
        await _client.PublishAsync(topic, "v6", key: "k");
        var after = await receive.ReadAsync(1);

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"v{i}"), before.Concat(after).Select(r => r.Record.Value.ToStringUtf8()));
        Assert.Equal(offsets, before.Take(5).Select(r => r.Record.Offset));
    }

    [Fact]
    public async Task Latest_subscription_skips_records_published_before_it()
    {
        var topic = NewName("topic");
        var partition = (await _client.PublishAsync(topic, "old", key: "k")).Partition;
        using var subscription = _client.Subscribe(topic, NewName("group"), SubscribeRequest.Types.AutoOffsetReset.Latest);
        var assignment = await AssignmentFor(subscription, partition);
        using var receive = _client.Receive(assignment);
        var first = receive.ReadAsync(1);

        // The stream starts asynchronously: keep publishing until it sees a new record.
        await Eventually.Until(
            async () =>
            {
                await _client.PublishAsync(topic, "new", key: "k");
                return first.IsCompleted;
            },
            done => done,
            "a record published after the Latest subscription");

        Assert.Equal("new", (await first)[0].Record.Value.ToStringUtf8());
    }

    private async Task<Assignment> AssignmentOf(string topic, uint partition)
    {
        var subscription = _client.Subscribe(topic, NewName("group"));
        return await AssignmentFor(subscription, partition);
    }

    internal static async Task<Assignment> AssignmentFor(Subscription subscription, uint partition)
    {
        while (true)
        {
            var assignment = await subscription.NextAsync();
            if (assignment.Partition == partition)
            {
                return assignment;
            }
        }
    }

    internal static LiiklusEvent NewEvent(string contentType, string data, params (string Name, string Value)[] extensions)
    {
        var liiklusEvent = new LiiklusEvent
        {
            Id = "evt-1",
            Type = "com.example.order.created",
            Source = "/orders",
            Time = "2026-11-25T10:00:00Z",
            DataContentType = contentType,
            Data = ByteString.CopyFromUtf8(data),
        };
        foreach (var (name, value) in extensions)
        {
            liiklusEvent.Extensions[name] = value;
        }

        return liiklusEvent;
    }

    internal static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
