using System.Text;
using Google.Protobuf.WellKnownTypes;
using Liiklus.Protocol;
using Liiklus.Protocol.Admin;
using Liiklus.Storage.Records;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Api.Admin;

/// <summary>The admin API on the in-memory records and positions storages.</summary>
public sealed class InMemoryAdminApiSpecs : AdminApiContract
{
    protected override Task<TestGateway> StartGatewayAsync() => TestGateway.StartAsync();

    // The Kafka storage publishes an empty key as no key (as Liiklus does), so only here can a record keep an empty one.
    [Fact]
    public async Task Browse_tells_an_empty_key_from_no_key()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = NewName("topic");
        var storage = gateway.Services.GetRequiredService<IRecordsStorage>();
        await storage.PublishAsync(topic, new OutgoingRecord([], Encoding.UTF8.GetBytes("empty key"), [], DateTimeOffset.UtcNow), CancellationToken.None);
        await storage.PublishAsync(topic, new OutgoingRecord(null, Encoding.UTF8.GetBytes("no key"), [], DateTimeOffset.UtcNow), CancellationToken.None);

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var call = gateway.Admin.Browse(new BrowseRequest { Topic = topic }, cancellationToken: deadline.Token);
        var read = new List<BrowsedRecord>();
        while (await call.ResponseStream.MoveNext(deadline.Token))
        {
            read.Add(call.ResponseStream.Current);
        }

        var emptyKey = Assert.Single(read, r => r.Value.ToStringUtf8() == "empty key");
        var noKey = Assert.Single(read, r => r.Value.ToStringUtf8() == "no key");
        Assert.True(emptyKey.HasKey);
        Assert.True(emptyKey.Key.IsEmpty);
        Assert.False(noKey.HasKey);
    }

    // The gateway's clock is a fake one here, moved on by the test, so a minute passes without waiting for it.
    [Fact]
    public async Task Watch_group_sends_an_unchanged_snapshot_again_once_a_minute()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await TestGateway.StartAsync(configureServices: services => services.AddSingleton<TimeProvider>(clock));
        var topic = NewName("topic");
        var partition = (await gateway.Client.PublishAsync(topic, "v0", key: "k")).Partition;
        await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = "g", Partition = partition, Offset = 0 });

        using var watching = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var call = gateway.Admin.WatchGroup(
            new WatchGroupRequest { Topic = topic, Group = "g", Interval = Duration.FromTimeSpan(TimeSpan.FromSeconds(2)) },
            cancellationToken: watching.Token);
        Assert.True(await call.ResponseStream.MoveNext(watching.Token));
        var first = call.ResponseStream.Current;
        var firstAt = clock.GetUtcNow();
        var next = call.ResponseStream.MoveNext(watching.Token);
        // Each step lets the watch's pending interval pass, whenever the watch gets to wait for it.
        while (!next.IsCompleted)
        {
            clock.Advance(TimeSpan.FromSeconds(2));
            await Task.WhenAny(next, Task.Delay(TimeSpan.FromMilliseconds(20), watching.Token));
        }

        Assert.True(await next);
        Assert.Equal(first, call.ResponseStream.Current);
        Assert.True(clock.GetUtcNow() - firstAt >= TimeSpan.FromMinutes(1), $"an unchanged snapshot was sent again after {clock.GetUtcNow() - firstAt}");
    }

    [Fact]
    public async Task Reset_to_a_timestamp_goes_to_the_first_record_stamped_at_or_after_it()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = NewName("topic");
        var group = NewName("group");
        var partition = (await gateway.Client.PublishAsync(topic, "v0", key: "k")).Partition;
        await gateway.Client.PublishAsync(topic, "v1", key: "k");
        var between = await ClockPastAsync(DateTimeOffset.UtcNow);
        await ClockPastAsync(between);
        await gateway.Client.PublishAsync(topic, "v2", key: "k");
        await gateway.Client.PublishAsync(topic, "v3", key: "k");

        var reset = await gateway.Admin.ResetPositionsAsync(new ResetPositionsRequest
        {
            Topic = topic,
            Group = group,
            Partitions = { partition },
            ToTimestamp = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(between),
            Execute = true,
        });

        Assert.Equal(2ul, reset.Partitions.Single().NewPosition);
        var offsets = await gateway.Client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group });
        Assert.Equal(1ul, offsets.Offsets[partition]);
    }

    // Records are stamped with the gateway's clock: wait until it has moved past a time, so no record shares it.
    private static async Task<DateTimeOffset> ClockPastAsync(DateTimeOffset time) =>
        await Eventually.Until(() => Task.FromResult(DateTimeOffset.UtcNow), now => now > time.AddMilliseconds(2), "the clock moving on");
}
