using Liiklus.Actors.Telemetry;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Operations;

/// <summary>
/// Groups reported from the positions storage rather than from the coordinators: what an autoscaler scaling a group
/// from zero consumers watches. Every positions storage runs <see cref="StoredGroupLag"/> through the gateway
/// (<see cref="Storage.PositionsGatewayContract"/>); here it runs on the in-memory storages.
/// </summary>
public sealed class StoredGroupMetricsSpecs
{
    [Fact]
    public async Task Lag_of_a_group_whose_consumers_all_left_keeps_growing_with_is_latest_on_its_highest_version()
    {
        await using var gateway = await TestGateway.StartAsync(StoredGroupLag.FastHocon);

        await StoredGroupLag.KeepsGrowingAfterEveryConsumerLeftAsync(gateway);
    }

    [Fact]
    public async Task A_group_that_acked_without_ever_subscribing_is_reported()
    {
        await using var gateway = await TestGateway.StartAsync(StoredGroupLag.FastHocon);
        using var operations = new OperationsClient(gateway.OperationsAddress);
        var topic = NewName("topic");
        var group = NewName("group");
        var partition = (await gateway.Client.PublishAsync(topic, "v0", key: "k")).Partition;
        await gateway.Client.PublishAsync(topic, "v1", key: "k");

        await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, GroupVersion = 4, Partition = partition, Offset = 0 });

        var labels = new[] { ("topic", topic), ("groupName", group), ("groupVersion", "4"), ("partition", partition.ToString()) };
        var text = await operations.ScrapeUntilAsync(t => t.Value("liiklus_group_lag", labels) == 1, "lag 1 of a group no coordinator ever ran for");
        Assert.Equal("true", text.Find("liiklus_topic_position", labels).Single().Labels["isLatest"]);
        Assert.DoesNotContain(gateway.Services.GetRequiredService<CoordinatedGroups>().Snapshot(), g => g.Topic == topic);
    }

    [Fact]
    public async Task A_refresh_lists_the_stored_groups_once_and_asks_each_topic_for_its_end_offsets_once()
    {
        await using var gateway = await TestGateway.StartAsync(StoredGroupLag.FastHocon);
        using var operations = new OperationsClient(gateway.OperationsAddress);
        var topics = Enumerable.Range(0, 3).Select(_ => NewName("topic")).ToList();
        foreach (var topic in topics)
        {
            var partition = (await gateway.Client.PublishAsync(topic, "v0")).Partition;
            foreach (var group in new[] { "a", "b" })
            {
                await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = 0 });
            }
        }

        static double Calls(PrometheusText text, string operation) =>
            text.Value("liiklus_storage_operation_duration_seconds_count", ("storage", "memory"), ("operation", operation)) ?? 0;
        var before = await operations.ScrapeUntilAsync(
            t => topics.All(topic => t.Find("liiklus_topic_position", ("topic", topic)).Count == 2),
            "the positions of both groups of each topic");
        var after = await operations.ScrapeUntilAsync(
            t => Calls(t, "list_groups") >= Calls(before, "list_groups") + 10,
            "ten more refreshes");

        var listings = Calls(after, "list_groups") - Calls(before, "list_groups");
        var endOffsets = Calls(after, "end_offsets") - Calls(before, "end_offsets");
        // A scrape may come in the middle of a refresh: one listing more or less than its end-offsets questions.
        Assert.InRange(endOffsets, 3 * (listings - 1), 3 * (listings + 1));
        Assert.Equal(0, Calls(after, "get_positions"));
        Assert.Equal(0, Calls(after, "get_all_versions"));
    }
}
