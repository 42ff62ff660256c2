using System.Text;
using Grpc.Core;
using Liiklus.Client;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Client;

public sealed class LiiklusClientSpecs(GatewayFixture fixture) : ClientSpecsBase(fixture), IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Published_event_is_received_with_its_typed_attributes_on_the_assignment_of_its_partition()
    {
        var client = NewClient();
        var topic = NewName("topic");
        var sent = new CloudEvent("evt-1", "com.example.order.created", new Uri("/orders", UriKind.Relative))
        {
            Time = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero),
            DataContentType = "application/json",
            Data = """{"amount":42}"""u8.ToArray(),
            Extensions = new Dictionary<string, string> { ["tenant"] = "acme", ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
        };
        var published = await client.PublishAsync(topic, sent, "k"u8.ToArray());

        using var timeout = new CancellationTokenSource(LiiklusClientExtensions.Deadline);
        await using var subscription = client.SubscribeAsync(new ConsumerGroup(topic, "g"), OffsetReset.Earliest, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var assignment = await AssignmentOfAsync(subscription, published.Partition);
        var record = await client.ReceiveAsync(assignment, cancellationToken: timeout.Token).FirstAsync(timeout.Token);

        Assert.Equal(published.Offset, record.Offset);
        Assert.Equal(topic, record.Topic);
        Assert.Equal("k", Encoding.UTF8.GetString(record.Key.Span));
        Assert.NotNull(record.Event);
        Assert.Equal(sent.Id, record.Event.Id);
        Assert.Equal(sent.Type, record.Event.Type);
        Assert.Equal(sent.Source, record.Event.Source);
        Assert.Equal(sent.Time, record.Event.Time);
        Assert.Equal(sent.DataContentType, record.Event.DataContentType);
        Assert.Equal(sent.Data.ToArray(), record.Value.ToArray());
        Assert.Equal(sent.Extensions, record.Event.Extensions);
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", record.Event.TraceParent);
        Assert.False(record.IsReplay);
    }

    [Fact]
    public async Task Received_event_is_one_instance_for_every_reader_and_copy_and_keeps_record_equality()
    {
        var client = NewClient();
        var topic = NewName("topic");
        var sent = new CloudEvent("evt-2", "com.example.order.paid", new Uri("https://example.com/orders"))
        {
            Time = new DateTimeOffset(2026, 11, 26, 8, 30, 0, TimeSpan.Zero),
            Data = "paid"u8.ToArray(),
            Extensions = new Dictionary<string, string> { ["tenant"] = "acme" },
        };
        var published = await client.PublishAsync(topic, sent, "k"u8.ToArray());

        using var timeout = new CancellationTokenSource(LiiklusClientExtensions.Deadline);
        await using var subscription = client.SubscribeAsync(new ConsumerGroup(topic, "g"), OffsetReset.Earliest, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var assignment = await AssignmentOfAsync(subscription, published.Partition);
        var record = await client.ReceiveAsync(assignment, cancellationToken: timeout.Token).FirstAsync(timeout.Token);
        var events = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => record.Event)));
        var copy = record with { };

        Assert.All(events, e => Assert.Same(events[0], e));
        Assert.Same(events[0], copy.Event);
        Assert.Equal(sent with { Data = record.Value }, record.Event! with { Extensions = sent.Extensions });
        Assert.Equal(sent.Extensions, record.Event.Extensions);
        Assert.Equal(record, copy);
        Assert.Equal(record.GetHashCode(), copy.GetHashCode());
        Assert.Equal(record.Timestamp, copy.Timestamp);
        Assert.NotEqual(default, record.Timestamp);
        Assert.NotEqual(record, record with { IsReplay = !record.IsReplay });
        Assert.NotEqual(record, record with { Event = record.Event with { Id = "evt-3" } });
        Assert.NotEqual(record, record with { Event = null });
        Assert.Null((record with { Event = null }).Event);
        Assert.Contains("evt-2", record.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_value_is_received_without_event_attributes()
    {
        var client = NewClient();
        var topic = NewName("topic");
        var published = await client.PublishAsync(topic, "raw"u8.ToArray(), "k"u8.ToArray());

        using var timeout = new CancellationTokenSource(LiiklusClientExtensions.Deadline);
        await using var subscription = client.SubscribeAsync(new ConsumerGroup(topic, "g"), OffsetReset.Earliest, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var assignment = await AssignmentOfAsync(subscription, published.Partition);
        var record = await client.ReceiveAsync(assignment, cancellationToken: timeout.Token).FirstAsync(timeout.Token);

        Assert.Null(record.Event);
        Assert.Equal("raw", Encoding.UTF8.GetString(record.Value.Span));
    }

    [Fact]
    public async Task Receive_passes_over_records_up_to_the_last_known_offset()
    {
        var client = NewClient();
        var topic = NewName("topic");
        var published = new List<PublishResult>();
        for (var i = 0; i < 3; i++)
        {
            published.Add(await client.PublishAsync(topic, Encoding.UTF8.GetBytes($"v{i}"), "same"u8.ToArray()));
        }

        using var timeout = new CancellationTokenSource(LiiklusClientExtensions.Deadline);
        await using var subscription = client.SubscribeAsync(new ConsumerGroup(topic, "g"), OffsetReset.Earliest, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var assignment = await AssignmentOfAsync(subscription, published[0].Partition);
        var record = await client.ReceiveAsync(assignment, published[1].Offset, timeout.Token).FirstAsync(timeout.Token);

        Assert.Equal(published[2].Offset, record.Offset);
    }

    [Fact]
    public async Task Ack_stores_the_group_position_and_end_offsets_say_minus_one_for_an_empty_partition()
    {
        var client = NewClient();
        var topic = NewName("topic");
        var published = await client.PublishAsync(topic, "v"u8.ToArray(), "k"u8.ToArray());
        var group = new ConsumerGroup(topic, "g", Version: 2);

        await client.AckAsync(group, published.Partition, published.Offset);

        Assert.Equal(new Dictionary<int, ulong> { [published.Partition] = published.Offset }, await client.GetOffsetsAsync(group));
        Assert.Empty(await client.GetOffsetsAsync(group with { Version = 3 }));
        var ends = await client.GetEndOffsetsAsync(topic);
        Assert.Equal((long)published.Offset, ends[published.Partition]);
        Assert.Equal(-1, ends[(published.Partition + 1) % 8]);
    }

    [Fact]
    public async Task Unary_call_fails_at_its_deadline_when_the_gateway_does_not_answer()
    {
        await using var proxy = TcpProxy.Start(Fixture.Gateway.Address);
        var client = NewClient(proxy.Address, callTimeout: TimeSpan.FromMilliseconds(300));
        await client.GetEndOffsetsAsync(NewName("topic"));
        proxy.Pause();

        var failure = await Assert.ThrowsAsync<RpcException>(() => client.GetEndOffsetsAsync(NewName("topic")));

        Assert.Equal(StatusCode.DeadlineExceeded, failure.StatusCode);
    }

    [Fact]
    public void Options_name_the_setting_that_cannot_work()
    {
        var missing = Assert.Throws<ArgumentException>(() => new LiiklusClient(new LiiklusClientOptions()));
        Assert.Contains("Address", missing.Message);

        var timeout = Assert.Throws<ArgumentException>(() => new LiiklusClient(new LiiklusClientOptions
        {
            Address = new Uri("http://127.0.0.1:6565"),
            CallTimeout = TimeSpan.Zero,
        }));
        Assert.Contains("CallTimeout", timeout.Message);
    }
}
