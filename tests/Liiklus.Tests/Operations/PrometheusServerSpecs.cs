using System.Globalization;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Operations;

/// <summary>A real Prometheus scrapes the gateway and answers PromQL over the lag.</summary>
public sealed class PrometheusServerSpecs
{
    [Fact]
    public async Task Prometheus_scrapes_the_gateway_and_a_promql_query_returns_the_lag()
    {
        await using var gateway = await TestGateway.StartAsync("liiklus.metrics.positions-refresh-interval = 100ms");
        var topic = NewName("topic");
        var group = NewName("group");
        var partition = (await gateway.Client.PublishAsync(topic, "v0", key: "k")).Partition;
        for (var i = 1; i < 6; i++)
        {
            await gateway.Client.PublishAsync(topic, $"v{i}", key: "k");
        }

        using var subscription = gateway.Client.Subscribe(topic, group);
        await subscription.NextAsync();
        await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = 1 });
        await using var prometheus = await PrometheusServer.StartAsync(
            new Uri(gateway.OperationsAddress).Authority,
            RepositoryFiles.PathOf("ops/prometheus/liiklus-alerts.yml"));

        // Asked together and again until all agree: a scrape that times out on a busy machine marks every series
        // stale until the next one.
        var (lag, up, position) = await Eventually.Until(
            async () => (
                Lag: await prometheus.QueryAsync($"sum by (groupName) (liiklus_group_lag{{topic=\"{topic}\", groupName=\"{group}\"}})"),
                Up: await prometheus.QueryAsync("up{job=\"liiklus\"}"),
                Position: await prometheus.QueryAsync($"liiklus_topic_position{{topic=\"{topic}\", isLatest=\"true\"}}")),
            seen => seen.Lag is [{ Value: 4 }] && seen.Up is [{ Value: 1 }] && seen.Position is [{ Value: 1 }],
            "the lag (end offset 5 - acked 1), the scrape being up and the acked position, through PromQL");

        Assert.Equal(group, lag.Single().Labels["groupName"]);
        Assert.Equal(1, up.Single().Value);
        Assert.Equal(partition.ToString(CultureInfo.InvariantCulture), position.Single().Labels["partition"]);
        Assert.Contains("LiiklusConsumerLagGrowing", await prometheus.RuleNamesAsync());
    }
}
