using System.Net;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Operations;

/// <summary>What /prometheus shows of a gateway at work, with the positions refreshed every 100 ms.</summary>
public sealed class MetricsSpecs : IAsyncLifetime
{
    private TestGateway? _gateway;
    private OperationsClient? _operations;

    private TestGateway Gateway => _gateway!;

    private OperationsClient Operations => _operations!;

    public async Task InitializeAsync()
    {
        _gateway = await TestGateway.StartAsync("liiklus.metrics.positions-refresh-interval = 100ms");
        _operations = new OperationsClient(Gateway.OperationsAddress);
    }

    public async Task DisposeAsync()
    {
        _operations?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }

    [Fact]
    public async Task Health_answers_ok_while_the_process_serves()
    {
        var (status, body) = await Operations.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("OK", body);
    }

    [Fact]
    public async Task Position_gauge_has_liiklus_labels_at_the_acked_offset_and_lag_falls_to_zero_when_the_end_is_acked()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        var partition = (await Gateway.Client.PublishAsync(topic, "v0", key: "k")).Partition;
        for (var i = 1; i < 5; i++)
        {
            await Gateway.Client.PublishAsync(topic, $"v{i}", key: "k");
        }

        using var subscription = Gateway.Client.Subscribe(topic, group);
        await subscription.NextAsync();
        await Gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = 2 });

        var labels = new[] { ("topic", topic), ("groupName", group), ("groupVersion", "0"), ("partition", partition.ToString()) };
        var acked = await Operations.ScrapeUntilAsync(
            text => text.Value("liiklus_topic_position", labels) == 2 && text.Value("liiklus_group_lag", labels) == 2,
            "position 2 and lag 2 (end offset 4)");
        Assert.Equal("true", acked.Find("liiklus_topic_position", labels).Single().Labels["isLatest"]);
        // Partitions without records have nothing after an absent ack.
        var otherPartition = ((partition + 1) % 8).ToString();
        Assert.Equal(0, acked.Value("liiklus_group_lag", ("topic", topic), ("groupName", group), ("partition", otherPartition)));

        await Gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = 4 });
        var caughtUp = await Operations.ScrapeUntilAsync(text => text.Value("liiklus_group_lag", labels) == 0, "lag 0 once the end is acked");

        Assert.Equal(4, caughtUp.Value("liiklus_topic_position", labels));
    }

    [Fact]
    public async Task Lag_of_a_partition_nothing_was_acked_on_counts_every_record()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        var partition = (await Gateway.Client.PublishAsync(topic, "v0", key: "k")).Partition;
        await Gateway.Client.PublishAsync(topic, "v1", key: "k");
        using var subscription = Gateway.Client.Subscribe(topic, group);
        await subscription.NextAsync();

        var labels = new[] { ("topic", topic), ("groupName", group), ("partition", partition.ToString()) };
        var text = await Operations.ScrapeUntilAsync(t => t.Value("liiklus_group_lag", labels) is not null, "the lag of a new group");

        Assert.Equal(2, text.Value("liiklus_group_lag", labels));
        Assert.Empty(text.Find("liiklus_topic_position", ("topic", topic)));
    }

    [Fact]
    public async Task Only_the_highest_acked_version_of_a_group_is_latest()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        var partition = (await Gateway.Client.PublishAsync(topic, "v0", key: "k")).Partition;
        await Gateway.Client.PublishAsync(topic, "v1", key: "k");
        using var first = Gateway.Client.Subscribe(topic, group, version: 1);
        await first.NextAsync();
        await Gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, GroupVersion = 1, Partition = partition, Offset = 1 });
        using var second = Gateway.Client.Subscribe(topic, group, version: 2);
        await Gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, GroupVersion = 2, Partition = partition, Offset = 0 });

        PrometheusSample Version(PrometheusText text, string version) =>
            text.Find("liiklus_topic_position", ("topic", topic), ("groupVersion", version)).Single();
        var text = await Operations.ScrapeUntilAsync(
            t => t.Find("liiklus_topic_position", ("topic", topic)).Count == 2,
            "positions of both versions");

        Assert.Equal(("false", 1.0), (Version(text, "1").Labels["isLatest"], Version(text, "1").Value));
        Assert.Equal(("true", 0.0), (Version(text, "2").Labels["isLatest"], Version(text, "2").Value));
    }

    [Fact]
    public async Task Publishes_deliveries_and_open_streams_are_counted()
    {
        var topic = NewName("topic");
        var partition = (await Gateway.Client.PublishAsync(topic, "v0", key: "k")).Partition;
        await Gateway.Client.PublishAsync(topic, "v1", key: "k");
        await Gateway.Client.PublishAsync(topic, "v2", key: "k");
        using var subscription = Gateway.Client.Subscribe(topic, NewName("group"));
        using var receive = Gateway.Client.Receive(await AssignmentFor(subscription, partition));
        await receive.ReadAsync(3);

        var text = await Operations.ScrapeUntilAsync(
            t => t.Value("liiklus_delivered_records_total", ("topic", topic)) == 3,
            "3 delivered records counted");

        Assert.Equal(3, text.Value("liiklus_published_records_total", ("topic", topic)));
        Assert.True(text.Value("liiklus_receive_streams") >= 1);
        Assert.True(text.Value("liiklus_subscribe_streams") >= 1);
        Assert.True(text.Value("liiklus_publish_duration_seconds_count", ("status", "ok")) >= 3);
        Assert.True(text.Value("liiklus_storage_operation_duration_seconds_count", ("storage", "memory"), ("operation", "publish")) >= 3);
        Assert.True(text.Value("liiklus_partition_claims_total", ("result", "claimed")) >= 1);
        Assert.True(text.Value("liiklus_rebalances_total") >= 1);
        Assert.Equal(1, text.Value("liiklus_cluster_members", ("status", "up")));
    }

    [Fact]
    public async Task Runtime_and_server_metrics_and_the_receive_budget_are_exported()
    {
        await Gateway.Client.PublishAsync(NewName("topic"), "v");
        var text = await Operations.ScrapeAsync();

        Assert.Contains("dotnet_gc_collections_total", text.Names);
        Assert.Contains("dotnet_thread_pool_thread_count_total", text.Names);
        // ASP.NET Core's own, per gRPC method.
        Assert.Contains("http_server_request_duration_seconds_count", text.Names);
        Assert.Contains("kestrel_active_connections", text.Names);
        Assert.True(text.Value("liiklus_receive_budget_bytes") > 0);
        Assert.NotNull(text.Value("liiklus_receive_buffered_bytes"));
    }

    [Fact]
    public async Task Asp_net_cores_per_call_duplicates_of_other_metrics_are_not_measured()
    {
        await Gateway.Client.PublishAsync(NewName("topic"), "v");
        var text = await Operations.ScrapeAsync();

        Assert.Contains("http_server_request_duration_seconds_count", text.Names);
        // Open streams are liiklus_subscribe_streams and liiklus_receive_streams; queued work is the thread pool's queue.
        Assert.DoesNotContain(text.Names, name => name.StartsWith("http_server_active_requests", StringComparison.Ordinal));
        Assert.DoesNotContain(text.Names, name => name.StartsWith("kestrel_queued_requests", StringComparison.Ordinal));
        Assert.Contains(text.Names, name => name.StartsWith("dotnet_thread_pool_queue_length", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_path_serves_the_same_metrics_as_prometheus_path()
    {
        await Gateway.Client.PublishAsync(NewName("topic"), "v");

        var prometheus = await Operations.ScrapeAsync("/prometheus");
        var metrics = await Operations.ScrapeAsync("/metrics");

        Assert.Equal(prometheus.Names.Order(), metrics.Names.Order());
        Assert.Contains("liiklus_published_records_total", metrics.Names);
    }
}
