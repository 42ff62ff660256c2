using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Grpc.Core;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Operations;

/// <summary>
/// The files under ops/ work with the gateway as it is: every metric the Grafana dashboard and the alerting rule name
/// is exported by a gateway at work (on Kafka), and promtool accepts the rule and its unit test.
/// </summary>
public sealed partial class OpsFilesSpecs(MockKafkaCluster cluster) : IClassFixture<MockKafkaCluster>
{
    private static readonly string Dashboard = RepositoryFiles.PathOf("ops/grafana/liiklus-dashboard.json");
    private static readonly string AlertRules = RepositoryFiles.PathOf("ops/prometheus/liiklus-alerts.yml");

    [Fact]
    public async Task Every_metric_the_dashboard_and_the_alert_rule_query_is_exported()
    {
        var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Dashboard)).RootElement;
        var expressions = dashboard.GetProperty("panels").EnumerateArray()
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .Select(target => target.GetProperty("expr").GetString()!)
            .Append(await File.ReadAllTextAsync(AlertRules))
            .ToList();
        var queried = expressions.SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).ToHashSet();

        var exported = await ScrapeBusyGatewayAsync();

        Assert.True(dashboard.GetProperty("panels").GetArrayLength() > 10);
        Assert.Contains("liiklus_group_lag", queried);
        Assert.Contains("liiklus_topic_position", queried);
        Assert.Empty(queried.Except(exported.Names).Order());
    }

    [Fact]
    public async Task Kafka_storage_reports_its_consumers_threads_and_buffers()
    {
        var text = await ScrapeBusyGatewayAsync();

        Assert.True(text.Value("liiklus_kafka_consumers") >= 1);
        Assert.True(text.Value("liiklus_kafka_threads", ("kind", "librdkafka")) > 0);
        Assert.True(text.Value("liiklus_kafka_threads", ("kind", "gateway")) >= 1);
        Assert.NotNull(text.Value("liiklus_kafka_buffered_bytes"));
        Assert.True(text.Value("liiklus_storage_errors_total", ("storage", "kafka"), ("operation", "publish")) >= 1);
        Assert.True(text.Value("liiklus_storage_operation_duration_seconds_count", ("storage", "kafka"), ("operation", "publish")) >= 2);
    }

    private const string PromtoolInstallHint = "test.sh installs it: apt-get install prometheus";

    [Fact]
    public async Task Promtool_accepts_the_alert_rule_and_its_unit_test_passes()
    {
        var directory = Path.GetDirectoryName(AlertRules)!;

        var check = await Command.RunWhateverItsExitAsync("promtool", ["check", "rules", "liiklus-alerts.yml"], PromtoolInstallHint, directory);
        var test = await Command.RunWhateverItsExitAsync("promtool", ["test", "rules", "liiklus-alerts-test.yml"], PromtoolInstallHint, directory);

        Assert.True(check.ExitCode == 0, check.Output);
        Assert.True(test.ExitCode == 0, test.Output);
        Assert.Contains("SUCCESS", test.Output);
    }

    /// <summary>A gateway that has published, delivered, acked, refused an oversized record and capped a topic.</summary>
    private async Task<PrometheusText> ScrapeBusyGatewayAsync()
    {
        await using var gateway = await TestGateway.StartAsync(cluster.GatewayHocon + """

            liiklus.storage.kafka.properties { "message.max.bytes" = 10000 }
            liiklus.metrics.positions-refresh-interval = 100ms
            liiklus.metrics.max-topic-series = 1
            """);
        using var operations = new OperationsClient(gateway.OperationsAddress);
        var topic = cluster.NewTopic(partitions: 2);
        var group = NewName("group");
        var published = await gateway.Client.PublishAsync(topic, "v", key: "k");
        await gateway.Client.PublishAsync(cluster.NewTopic(partitions: 1), "another topic");
#pragma warning disable CS0612
        var tooLarge = new PublishRequest { Topic = topic, Value = ByteString.CopyFrom(new byte[20_000]) };
#pragma warning restore CS0612
        await Assert.ThrowsAsync<RpcException>(() => gateway.Client.PublishAsync(tooLarge).ResponseAsync);
        using var subscription = gateway.Client.Subscribe(topic, group);
        using var receive = gateway.Client.Receive(await AssignmentFor(subscription, published.Partition));
        await receive.ReadAsync(1);
        await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = published.Partition, Offset = published.Offset });

        return await operations.ScrapeUntilAsync(
            text => text.Value("liiklus_topic_position", ("topic", topic)) is not null
                && text.Value("liiklus_delivered_records_total", ("topic", topic)) is not null,
            "positions and deliveries of a busy gateway");
    }

    [GeneratedRegex(@"\b(?:liiklus|dotnet)_[a-z_]+\b")]
    private static partial Regex MetricName();
}
