using System.Net;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Operations;

public sealed class SeriesCapSpecs
{
    [Fact]
    public async Task Topics_past_the_cap_are_counted_together_and_as_dropped_series()
    {
        await using var gateway = await TestGateway.StartAsync("liiklus.metrics.max-topic-series = 2");
        using var operations = new OperationsClient(gateway.OperationsAddress);
        var topics = Enumerable.Range(0, 4).Select(_ => NewName("topic")).ToList();
        foreach (var topic in topics)
        {
            await gateway.Client.PublishAsync(topic, "v");
        }

        var text = await operations.ScrapeAsync();

        Assert.Equal(1, text.Value("liiklus_published_records_total", ("topic", topics[0])));
        Assert.Equal(1, text.Value("liiklus_published_records_total", ("topic", topics[1])));
        Assert.Equal(2, text.Value("liiklus_published_records_total", ("topic", "_other")));
        Assert.Equal(2, text.Value("liiklus_metrics_dropped_series_total", ("metric", "topic")));
    }

    [Fact]
    public async Task Groups_past_the_cap_are_left_out_of_the_gauges_and_counted_once()
    {
        // 8 partitions a group: room for one group's lag series.
        await using var gateway = await TestGateway.StartAsync("""
            liiklus.metrics.positions-refresh-interval = 100ms
            liiklus.metrics.max-group-series = 10
            """);
        using var operations = new OperationsClient(gateway.OperationsAddress);
        var topic = NewName("topic");
        var partition = (await gateway.Client.PublishAsync(topic, "v")).Partition;
        // Names in order, so that the cap keeps the first.
        var groups = new[] { "a-" + NewName("group"), "b-" + NewName("group") };
        using var first = gateway.Client.Subscribe(topic, groups[0]);
        using var second = gateway.Client.Subscribe(topic, groups[1]);
        await first.NextAsync();
        await second.NextAsync();

        var text = await operations.ScrapeUntilAsync(
            t => t.Value("liiklus_metrics_dropped_series_total", ("metric", "group")) is not null,
            "the second group dropped");
        // An ack shows up only in a later refresh, which must not count the same group again.
        await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = groups[0], Partition = partition, Offset = 0 });
        var later = await operations.ScrapeUntilAsync(
            t => t.Value("liiklus_topic_position", ("topic", topic)) is not null,
            "the first group's position after its ack");

        Assert.Equal(8, text.Value("liiklus_metrics_dropped_series_total", ("metric", "group")));
        Assert.Equal(8, later.Value("liiklus_metrics_dropped_series_total", ("metric", "group")));
        Assert.Equal(8, later.Find("liiklus_group_lag", ("topic", topic)).Count);
        Assert.All(later.Find("liiklus_group_lag", ("topic", topic)), sample => Assert.Equal(groups[0], sample.Labels["groupName"]));
    }

    [Fact]
    public async Task Stored_groups_past_the_cap_are_left_out_and_their_topics_are_not_asked_for_end_offsets()
    {
        // 8 partitions a topic: room for the first topic's group only.
        await using var gateway = await TestGateway.StartAsync("""
            liiklus.metrics.positions-refresh-interval = 100ms
            liiklus.metrics.max-group-series = 8
            """);
        using var operations = new OperationsClient(gateway.OperationsAddress);
        // Names in order, so that the cap keeps the first.
        var topics = new[] { "a-", "b-", "c-" }.Select(prefix => prefix + NewName("topic")).ToList();
        foreach (var topic in topics)
        {
            var partition = (await gateway.Client.PublishAsync(topic, "v")).Partition;
            await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = "g", Partition = partition, Offset = 0 });
        }

        static double Calls(PrometheusText text, string operation) =>
            text.Value("liiklus_storage_operation_duration_seconds_count", ("storage", "memory"), ("operation", operation)) ?? 0;
        var before = await operations.ScrapeUntilAsync(
            t => t.Value("liiklus_metrics_dropped_series_total", ("metric", "group")) == 2,
            "the groups of the second and third topics dropped, one acked partition each");
        var after = await operations.ScrapeUntilAsync(
            t => Calls(t, "list_groups") >= Calls(before, "list_groups") + 10,
            "ten more refreshes");

        var listings = Calls(after, "list_groups") - Calls(before, "list_groups");
        Assert.InRange(Calls(after, "end_offsets") - Calls(before, "end_offsets"), listings - 1, listings + 1);
        Assert.Equal(8, after.Find("liiklus_group_lag", ("topic", topics[0])).Count);
        Assert.Empty(after.Find("liiklus_group_lag", ("topic", topics[1])));
        Assert.Empty(after.Find("liiklus_topic_position", ("topic", topics[2])));
        Assert.Equal(2, after.Value("liiklus_metrics_dropped_series_total", ("metric", "group")));
    }

    [Fact]
    public async Task With_metrics_off_nothing_is_exported_and_health_still_answers()
    {
        await using var gateway = await TestGateway.StartAsync("liiklus.metrics.enabled = off");
        using var operations = new OperationsClient(gateway.OperationsAddress);
        await gateway.Client.PublishAsync(NewName("topic"), "v");

        Assert.Equal(HttpStatusCode.NotFound, (await operations.GetAsync("/prometheus")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await operations.GetAsync("/metrics")).Status);
        Assert.Equal(HttpStatusCode.OK, (await operations.GetAsync("/health")).Status);
    }
}
