using Liiklus.Storage.Records.Memory;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Api;

public sealed class GrowingTopicSpecs
{
    [Fact]
    public async Task Partitions_added_to_a_topic_are_assigned_to_its_subscribers_and_delivered()
    {
        await using var gateway = await TestGateway.StartAsync("liiklus.groups.partitions-refresh-interval = 200ms");
        var storage = gateway.Services.GetRequiredService<InMemoryRecordsStorage>();
        var topic = NewName("topic");
        using var subscription = gateway.Client.Subscribe(topic, NewName("group"));
        Assert.Equal(Enumerable.Range(0, 8).Select(p => (uint)p), (await subscription.NextAsync(8)).Select(a => a.Partition).Order());

        // The in-memory storage's admin call, as Kafka's CreatePartitions would for a Kafka topic.
        storage.IncreasePartitions(topic, 12);
        var added = await subscription.NextAsync(4);
        await gateway.Client.PublishAsync(topic, "on a new partition", key: Keys.ForPartition(10, 12));

        Assert.Equal([8u, 9u, 10u, 11u], added.Select(a => a.Partition).Order());
        using var receive = gateway.Client.Receive(added.Single(a => a.Partition == 10));
        Assert.Equal("on a new partition", (await receive.ReadAsync(1)).Single().Record.Value.ToStringUtf8());
    }
}
