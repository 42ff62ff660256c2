using Liiklus.Actors.Telemetry;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Operations;

/// <summary>What a stored group's lag looks like once its consumers are gone, on any positions storage.</summary>
public static class StoredGroupLag
{
    /// <summary>Positions refreshed every 100 ms, and coordinators that stop half a second after their last member left.</summary>
    public const string FastHocon = """
        liiklus.metrics.positions-refresh-interval = 100ms
        liiklus.groups.idle-timeout = 500ms
        """;

    /// <summary>
    /// A group acks with two versions, its consumers all leave and its coordinator stops: its lag keeps being
    /// reported, growing as records are published, with <c>isLatest</c> on the higher version. The gateway needs
    /// <see cref="FastHocon"/>.
    /// </summary>
    public static async Task KeepsGrowingAfterEveryConsumerLeftAsync(TestGateway gateway)
    {
        using var operations = new OperationsClient(gateway.OperationsAddress);
        var coordinated = gateway.Services.GetRequiredService<CoordinatedGroups>();
        var topic = NewName("topic");
        var group = NewName("group");
        var partition = (await gateway.Client.PublishAsync(topic, "v0", key: "k")).Partition;
        for (var i = 1; i < 4; i++)
        {
            await gateway.Client.PublishAsync(topic, $"v{i}", key: "k");
        }

        using (var first = gateway.Client.Subscribe(topic, group, version: 1))
        using (var second = gateway.Client.Subscribe(topic, group, version: 2))
        {
            await first.NextAsync();
            await second.NextAsync();
            await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, GroupVersion = 1, Partition = partition, Offset = 1 });
            await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, GroupVersion = 2, Partition = partition, Offset = 2 });
        }

        await Eventually.Until(
            () => Task.FromResult(coordinated.Snapshot()),
            groups => groups.All(g => g.Topic != topic),
            "the coordinator to stop once every consumer left");

        (string, string)[] Labels(string version) =>
            [("topic", topic), ("groupName", group), ("groupVersion", version), ("partition", partition.ToString())];
        var idle = await operations.ScrapeUntilAsync(
            t => t.Value("liiklus_group_lag", Labels("1")) == 2 && t.Value("liiklus_group_lag", Labels("2")) == 1,
            "the lag of both versions after every consumer left (end offset 3)");
        for (var i = 4; i < 7; i++)
        {
            await gateway.Client.PublishAsync(topic, $"v{i}", key: "k");
        }

        var grown = await operations.ScrapeUntilAsync(
            t => t.Value("liiklus_group_lag", Labels("1")) == 5 && t.Value("liiklus_group_lag", Labels("2")) == 4,
            "the lag of both versions grown by the 3 records published since");

        foreach (var text in new[] { idle, grown })
        {
            Assert.Equal(("false", 1.0), (text.Find("liiklus_topic_position", Labels("1")).Single().Labels["isLatest"], text.Value("liiklus_topic_position", Labels("1"))));
            Assert.Equal(("true", 2.0), (text.Find("liiklus_topic_position", Labels("2")).Single().Labels["isLatest"], text.Value("liiklus_topic_position", Labels("2"))));
        }

        // Reported from the storage alone: nothing started the coordinator again.
        Assert.DoesNotContain(coordinated.Snapshot(), g => g.Topic == topic);
    }
}
