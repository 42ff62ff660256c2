using System.Text;
using Liiklus.Client;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.Redis;
using Liiklus.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Liiklus.Tests.Client;

/// <summary>
/// A <see cref="LiiklusConsumer"/> against a gateway process on Kafka (librdkafka's mock cluster) and Redis positions,
/// which outlive the gateway, stopped and started again on the same port.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ConsumerGatewayRestartSpecs(MockKafkaCluster kafka, RedisServer redis, ITestOutputHelper output)
    : IClassFixture<MockKafkaCluster>, IClassFixture<RedisServer>
{
    private const int Partitions = 4;
    private const int Records = 200;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Consumer_reconnects_to_a_restarted_gateway_and_resumes_after_the_acknowledged_position_in_order()
    {
        var topic = $"topic-{Guid.NewGuid():N}";
        var group = new ConsumerGroup(topic, $"group-{Guid.NewGuid():N}");
        kafka.CreateTopic(topic, Partitions);
        var environment = GatewayProcess.KafkaAndRedis(kafka.BootstrapServers, redis.Port);
        var port = GatewayProcess.FreePort();
        environment["grpc_port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var address = new Uri($"http://127.0.0.1:{port}");
        using var publisher = new LiiklusClient(new LiiklusClientOptions { Address = address, CallTimeout = TimeSpan.FromSeconds(10) });
        using var consuming = new LiiklusClient(new LiiklusClientOptions { Address = address, CallTimeout = TimeSpan.FromSeconds(2) });
        var handled = new HandledRecords();
        var options = new LiiklusConsumerOptions
        {
            AckBatchSize = 10,
            ReconnectDelay = TimeSpan.FromMilliseconds(100),
            MaxReconnectDelay = TimeSpan.FromSeconds(1),
            LagInterval = TimeSpan.Zero,
        };

        GatewayProcess? gateway = await GatewayProcess.StartAsync(environment, GatewayProcess.FreePort(), seedNodes: null);
        try
        {
            await using var consumer = RunningConsumer.Start(consuming, group, handled.Handler("c"), options);
            await PublishAsync(publisher, topic, from: 0);
            await Eventually.Until(() => Task.FromResult(Distinct(handled)), n => n == Records, "the first records handled", Deadline);

            await gateway.TerminateAsync(Deadline);
            await gateway.DisposeAsync();
            gateway = null;
            await Eventually.Until(() => Task.FromResult(consumer.Consumer.State), state => state == ConsumerState.Reconnecting, "the consumer reconnecting", Deadline);
            // What the restarted gateway will read: nothing can write a position while no gateway runs.
            var acked = await new RedisPositionsStorage(redis.Connection, redis.Options).GetAsync(topic, new GroupId(group.Name, 0), CancellationToken.None);
            var handledBeforeRestart = handled.All.Count;

            gateway = await GatewayProcess.StartAsync(environment, GatewayProcess.FreePort(), seedNodes: null);
            await PublishAsync(publisher, topic, from: Records);
            await Eventually.Until(() => Task.FromResult(Distinct(handled)), n => n == 2 * Records, "every record handled after the restart", Deadline);
            await consumer.StopAsync();

            var all = handled.All;
            var afterRestart = all.Skip(handledBeforeRestart).ToList();
            output.WriteLine(
                $"acked while the gateway was down: {string.Join(", ", acked.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"))}; " +
                $"{all.Count} handled for {2 * Records} records, {handled.Duplicates.Count} twice");
            Assert.Equal(Enumerable.Range(0, 2 * Records).Select(i => $"v{i}"), all.Select(r => r.Value).Distinct().OrderBy(v => int.Parse(v[1..])));
            Assert.Equal(Partitions, acked.Count);
            Assert.NotEmpty(afterRestart);
            foreach (var run in new[] { all.Take(handledBeforeRestart), afterRestart })
            {
                foreach (var partition in run.GroupBy(r => r.Partition))
                {
                    var offsets = partition.Select(r => r.Offset).ToList();
                    Assert.True(offsets.Zip(offsets.Skip(1)).All(pair => pair.First < pair.Second), $"partition {partition.Key} handled out of order");
                }
            }

            Assert.DoesNotContain(afterRestart, r => (long)r.Offset <= acked[r.Partition]);
        }
        catch (Exception e) when (e is TimeoutException)
        {
            throw new TimeoutException($"{e.Message}; gateway log:\n{string.Join('\n', (gateway?.Log ?? "").Split('\n').TakeLast(40))}", e);
        }
        finally
        {
            if (gateway is not null)
            {
                await gateway.DisposeAsync();
            }
        }
    }

    private static int Distinct(HandledRecords handled) => handled.All.Select(r => (r.Partition, r.Offset)).Distinct().Count();

    private static async Task PublishAsync(LiiklusClient client, string topic, int from)
    {
        for (var i = from; i < from + Records; i++)
        {
            await client.PublishAsync(topic, Encoding.UTF8.GetBytes($"v{i}"), Encoding.UTF8.GetBytes($"k{i}"));
        }
    }
}
