using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Liiklus.Client;
using IRecordsStorage = Liiklus.Storage.Records.IRecordsStorage;
using Liiklus.Storage.Records.Memory;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Liiklus.Tests.Client;

public sealed class LiiklusPublisherSpecs(GatewayFixture fixture) : ClientSpecsBase(fixture), IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Pipelined_calls_stay_within_the_bound_and_each_gets_its_own_result_whatever_order_they_complete_in()
    {
        const int bound = 4;
        const int calls = 12;
        var storage = new GatedRecordsStorage(new InMemoryRecordsStorage(new InMemoryRecordsOptions(PartitionsPerTopic: 8)));
        await using var gateway = await TestGateway.StartAsync(configureServices: services => services.AddSingleton<IRecordsStorage>(storage));
        var client = NewClient(gateway.Address);
        var publisher = new LiiklusPublisher(client, new LiiklusPublisherOptions { MaxInFlight = bound });
        var topic = NewName("topic");
        var started = 0;
        var results = new Task<PublishResult>[calls];
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; i < calls; i++)
            {
                results[i] = await publisher.StartPublishAsync(topic, new Order(i), "same"u8.ToArray());
                Interlocked.Increment(ref started);
            }
        });

        await Eventually.Until(() => Task.FromResult(storage.Waiting), waiting => waiting == bound, $"{bound} publishes held at the gateway");
        Assert.Equal(bound, Volatile.Read(ref started));
        Assert.Equal(bound, publisher.InFlight);
        Assert.False(publishing.IsCompleted);

        // The gateway lets the latest call through first: results come back in another order than the calls went out.
        for (var released = 0; released < calls; released++)
        {
            await Eventually.Until(() => Task.FromResult(storage.Waiting), waiting => waiting == Math.Min(bound, calls - released), "the next publish at the gateway");
            storage.ReleaseNewest();
        }

        await publishing.WaitAsync(LiiklusClientExtensions.Deadline);
        var stored = await Task.WhenAll(results).WaitAsync(LiiklusClientExtensions.Deadline);
        Assert.Equal(bound, storage.MaxInside);
        Assert.Equal(0, publisher.InFlight);
        Assert.NotEqual(stored.Select(r => r.Offset).Order(), stored.Select(r => r.Offset));

        using var timeout = new CancellationTokenSource(LiiklusClientExtensions.Deadline);
        await using var subscription = client.SubscribeAsync(new ConsumerGroup(topic, "g"), OffsetReset.Earliest, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var assignment = await AssignmentOfAsync(subscription, stored[0].Partition);
        var received = await client.ReceiveAsync(assignment, cancellationToken: timeout.Token).Take(calls).ToDictionaryAsync(r => r.Offset, cancellationToken: timeout.Token);
        for (var i = 0; i < calls; i++)
        {
            Assert.Equal(i, JsonSerializer.Deserialize<Order>(received[stored[i].Offset].Value.Span, JsonSerializerOptions.Web)!.Number);
        }
    }

    [Fact]
    public async Task Value_is_published_as_json_with_its_cloud_event_attributes_and_the_current_trace()
    {
        var client = NewClient();
        var topic = NewName("topic");
        var publisher = new LiiklusPublisher(client, new LiiklusPublisherOptions { Source = new Uri("/billing", UriKind.Relative) });
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "spec",
            Sample = (ref _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource("spec");
        using var trace = source.StartActivity("caller")!;

        var result = await publisher.PublishAsync(
            topic,
            new Order(7),
            "k"u8.ToArray(),
            new EventAttributes { Id = "order-7", Extensions = new Dictionary<string, string> { ["tenant"] = "acme" } });

        var record = await FirstRecordAsync(client, topic, result.Partition);
        Assert.Equal(result.Offset, record.Offset);
        Assert.Equal("""{"number":7}""", Encoding.UTF8.GetString(record.Value.Span));
        Assert.Equal("order-7", record.Event!.Id);
        Assert.Equal(typeof(Order).FullName, record.Event.Type);
        Assert.Equal(new Uri("/billing", UriKind.Relative), record.Event.Source);
        Assert.Equal("application/json", record.Event.DataContentType);
        Assert.NotNull(record.Event.Time);
        Assert.Equal("acme", record.Event.Extensions["tenant"]);
        Assert.Equal(trace.TraceId.ToString(), ActivityContext.Parse(record.Event.TraceParent!, null).TraceId.ToString());
    }

    [Fact]
    public async Task Serializer_failure_reaches_the_caller_sends_nothing_and_keeps_no_room_in_flight()
    {
        var client = NewClient();
        var topic = NewName("topic");
        var publisher = new LiiklusPublisher(client, new LiiklusPublisherOptions { MaxInFlight = 1, Serializer = new RefusingSerializer() });

        var failure = await Assert.ThrowsAsync<NotSupportedException>(() => publisher.PublishAsync(topic, new Order(-1)));
        Assert.Equal("no negative orders", failure.Message);
        var json = new LiiklusPublisher(client, new LiiklusPublisherOptions { MaxInFlight = 1 });
        var cycle = new Node();
        cycle.Next = cycle;
        await Assert.ThrowsAsync<JsonException>(() => json.PublishAsync(topic, cycle));

        Assert.Equal(0, publisher.InFlight);
        Assert.Empty(await client.GetEndOffsetsAsync(topic));
        // One room in flight: a failure that kept it would leave these waiting forever.
        var published = await publisher.PublishAsync(topic, new Order(1)).WaitAsync(LiiklusClientExtensions.Deadline);
        await json.PublishAsync(topic, new Order(2)).WaitAsync(LiiklusClientExtensions.Deadline);
        Assert.Equal("1", Encoding.UTF8.GetString((await FirstRecordAsync(client, topic, published.Partition)).Value.Span));
    }

    [Fact]
    public async Task Refused_publish_fails_only_its_own_call()
    {
        var client = NewClient();
        var topic = NewName("topic");
        var publisher = new LiiklusPublisher(client, new LiiklusPublisherOptions { MaxInFlight = 8 });

        var before = await publisher.StartPublishAsync(topic, new Order(1));
        var refused = await publisher.StartPublishAsync("not a topic name", new Order(2));
        var after = await publisher.StartPublishAsync(topic, new Order(3));

        var failure = await Assert.ThrowsAsync<RpcException>(() => refused);
        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
        Assert.Equal(topic, (await before).Topic);
        Assert.Equal(topic, (await after).Topic);
    }

    [Fact]
    public void Options_name_the_setting_that_cannot_work()
    {
        var client = NewClient();
        var failure = Assert.Throws<ArgumentException>(() => new LiiklusPublisher(client, new LiiklusPublisherOptions { MaxInFlight = 0 }));
        Assert.Contains("MaxInFlight", failure.Message);
    }

    private static async Task<LiiklusRecord> FirstRecordAsync(LiiklusClient client, string topic, int partition)
    {
        using var timeout = new CancellationTokenSource(LiiklusClientExtensions.Deadline);
        await using var subscription = client.SubscribeAsync(new ConsumerGroup(topic, NewName("reader")), OffsetReset.Earliest, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var assignment = await AssignmentOfAsync(subscription, partition);
        return await client.ReceiveAsync(assignment, cancellationToken: timeout.Token).FirstAsync(timeout.Token);
    }

    public sealed record Order(int Number);

    public sealed class Node
    {
        public Node? Next { get; set; }
    }

    private sealed class RefusingSerializer : IEventSerializer
    {
        public string ContentType => "text/plain";

        public ReadOnlyMemory<byte> Serialize<T>(T value) => value is Order { Number: < 0 }
            ? throw new NotSupportedException("no negative orders")
            : Encoding.UTF8.GetBytes(value is Order order ? order.Number.ToString() : "?");
    }
}
