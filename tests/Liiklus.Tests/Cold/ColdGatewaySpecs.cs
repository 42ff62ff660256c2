using System.Text;
using Akka.Streams;
using Grpc.Core;
using Liiklus.Protocol.Admin;
using Liiklus.Storage.Cold.Postgres;
using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Kafka;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Cold;

/// <summary>
/// A gateway with cold storage on (PostgreSQL cold store, Kafka mock cluster): its archivers, the admin API's cold
/// status, the gap metric, and DATA_LOSS for what neither store holds.
/// </summary>
public sealed class ColdGatewaySpecs(MockKafkaCluster cluster, PostgresServer postgres)
    : Akka.TestKit.Xunit2.TestKit, IClassFixture<MockKafkaCluster>, IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Retention_past_the_archive_shows_as_gaps_in_cold_status_and_the_metric_and_a_browse_across_them_ends_in_data_loss()
    {
        var topic = $"cold-{Guid.NewGuid():N}";
        cluster.CreateTopic(topic, 1);
        using (var kafka = new KafkaRecordsStorage(cluster.StorageOptions(), Sys.Materializer()))
        {
            for (var i = 0; i < 300; i++)
            {
                await kafka.PublishAsync(topic, new OutgoingRecord(null, Encoding.UTF8.GetBytes($"v{i}"), [], DateTimeOffset.UtcNow), CancellationToken.None);
            }
        }

        cluster.DeleteRecords(topic, 0, 100);
        // An archive that lost [0, 50) before this gateway started, as an earlier one would have recorded it.
        await using (var store = new PostgresColdStore(new PostgresColdOptions { ConnectionString = postgres.ConnectionString }))
        {
            await store.WriteGapAsync(topic, 0, 0, 50, CancellationToken.None);
        }

        await using var gateway = await TestGateway.StartAsync(cluster.GatewayHocon + $$"""

            liiklus.cold {
              type = POSTGRES
              topics = "cold-*"
              segment-max-age = 1s
              postgres.connection-string = "{{postgres.ConnectionString}}"
            }
            """);

        var status = await Eventually.Until(
            () => gateway.Admin.ColdStatusAsync(new ColdStatusRequest { Topic = topic }).ResponseAsync,
            reply => reply.Partitions.Single().ArchivedOffset == 300,
            "the archiver to reach the end");
        var partition = status.Partitions.Single();
        Assert.Equal((0ul, 100ul, 300ul, 0ul, 200L), (partition.ColdFirstOffset, partition.EarliestOffset, partition.EndOffset, partition.Lag, partition.Headroom));
        Assert.Equal([(0ul, 50ul), (50ul, 100ul)], partition.Gaps.Select(g => (g.FromOffset, g.ToOffset)));
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync($"{gateway.OperationsAddress}/prometheus");
        Assert.Contains(metrics.Split('\n'), line => line.StartsWith("liiklus_cold_gaps{", StringComparison.Ordinal) && line.Contains(topic) && line.EndsWith(" 1", StringComparison.Ordinal));
        Assert.Contains(metrics.Split('\n'), line => line.StartsWith("liiklus_cold_archived_offset{", StringComparison.Ordinal) && line.Contains(topic) && line.EndsWith(" 300", StringComparison.Ordinal));

        using var browse = gateway.Admin.Browse(new BrowseRequest { Topic = topic });
        var lost = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await browse.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        });
        Assert.Equal(StatusCode.DataLoss, lost.StatusCode);
        Assert.Contains("offsets 0 to 49", lost.Status.Detail);
    }
}
