using Google.Protobuf;
using Liiklus.Protocol;
using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Memory;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Api;

public sealed class BackpressureSpecs
{
    private const int RecordsPerPartition = 20_000;

    [Fact]
    public async Task Stalled_partition_does_not_slow_another_and_what_is_buffered_for_it_stays_bounded()
    {
        var storage = new CountingRecordsStorage(new InMemoryRecordsStorage(new InMemoryRecordsOptions(PartitionsPerTopic: 8)));
        await using var gateway = await TestGateway.StartAsync(
            configureServices: services => services.AddSingleton<IRecordsStorage>(storage));
        var client = gateway.Client;
        var topic = NewName("topic");
        var stalledKey = Keys.ForPartition(1, 8);
        var flowingKey = Keys.ForPartition(2, 8);
        var value = ByteString.CopyFrom(new byte[100]);
        for (var i = 0; i < RecordsPerPartition; i++)
        {
#pragma warning disable CS0612
            await Task.WhenAll(
                client.PublishAsync(new PublishRequest { Topic = topic, Key = ByteString.CopyFromUtf8(stalledKey), Value = value }).ResponseAsync,
                client.PublishAsync(new PublishRequest { Topic = topic, Key = ByteString.CopyFromUtf8(flowingKey), Value = value }).ResponseAsync);
#pragma warning restore CS0612
        }

        using var subscription = client.Subscribe(topic, NewName("group"));
        var assignments = (await subscription.NextAsync(8)).ToDictionary(a => a.Partition);
        using var stalled = client.Receive(assignments[1]);
        await stalled.ReadAsync(1);
        using var flowing = client.Receive(assignments[2]);

        var received = await flowing.ReadAsync(RecordsPerPartition, TimeSpan.FromSeconds(60));

        Assert.Equal(Enumerable.Range(0, RecordsPerPartition).Select(o => (ulong)o), received.Select(r => r.Record.Offset));
        // What the gateway pulled for the stalled client: its channel, the graph's small buffers and the HTTP/2
        // windows (64 KiB-scale) — a few thousand 100-byte records at most, never the partition.
        var pulledForStalled = storage.PulledFrom(topic, 1);
        Assert.InRange(pulledForStalled, 1, 5_000);
    }
}
