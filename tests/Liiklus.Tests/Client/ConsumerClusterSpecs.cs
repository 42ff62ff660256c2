using Liiklus.Client;
using Liiklus.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Liiklus.Tests.Client;

/// <summary>
/// <see cref="LiiklusConsumer"/>s against a cluster of three gateway processes on Kafka (librdkafka's mock cluster)
/// and Redis positions, as the README's run command starts them.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ConsumerClusterSpecs(MockKafkaCluster kafka, RedisServer redis, ITestOutputHelper output)
    : IClassFixture<MockKafkaCluster>, IClassFixture<RedisServer>
{
    private const int Partitions = 8;

    // The issue's 100,000 records scaled down to keep the suite fast; acks every 100 records instead of 1,000 so a
    // partition still sees many batches, and so the bound on what a crash repeats stays small.
    private const int Records = 20_000;
    private const int AckBatchSize = 100;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private Dictionary<string, string> Environment => GatewayProcess.KafkaAndRedis(kafka.BootstrapServers, redis.Port);

    [Fact]
    public async Task Consumers_joining_leaving_and_crashing_during_a_publish_handle_every_record_in_order_repeating_only_what_the_crashed_one_had_not_acknowledged()
    {
        var topic = $"topic-{Guid.NewGuid():N}";
        var group = new ConsumerGroup(topic, $"group-{Guid.NewGuid():N}");
        kafka.CreateTopic(topic, Partitions);
        var started = await GatewayProcess.StartClusterAsync(Environment, 3);
        await using var first = started[0];
        await using var second = started[1];
        await using var third = started[2];
        await using var thirdThroughProxy = TcpProxy.Start(Address(third));
        using var clients = new Clients();
        var handled = new HandledRecords();
        var options = new LiiklusConsumerOptions
        {
            AckBatchSize = AckBatchSize,
            // Generous for three gateways and their clients on two shared cores: a slower handoff is no failure.
            HandoffDelay = TimeSpan.FromSeconds(2),
            ReconnectDelay = TimeSpan.FromMilliseconds(100),
            MaxReconnectDelay = TimeSpan.FromSeconds(1),
            LagInterval = TimeSpan.Zero,
        };

        var publisher = new LiiklusPublisher(clients.New(Address(first)), new LiiklusPublisherOptions { MaxInFlight = 16 });
        var published = new List<Task<PublishResult>>(Records);
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; i < Records; i++)
            {
                var call = await publisher.StartPublishAsync(topic, i, System.Text.Encoding.UTF8.GetBytes($"k{i}"));
                lock (published)
                {
                    published.Add(call);
                }
            }
        });

        await using var a = RunningConsumer.Start(clients.New(Address(first)), group, handled.Handler("a"), options);
        await using var b = RunningConsumer.Start(clients.New(Address(second)), group, handled.Handler("b"), options);
        await PublishedAsync(Records / 5);
        await using var c = RunningConsumer.Start(clients.New(thirdThroughProxy.Address, TimeSpan.FromSeconds(2)), group, handled.Handler("c"), options);
        await Eventually.Until(() => Task.FromResult(handled.All.Count(r => r.Consumer == "c")), n => n > 0, "the joining consumer handling records", Deadline);

        await PublishedAsync(2 * Records / 5);
        await a.StopAsync();

        await PublishedAsync(3 * Records / 5);
        var handledByCBeforeCrash = handled.All.Count(r => r.Consumer == "c");
        await Eventually.Until(() => Task.FromResult(handled.All.Count(r => r.Consumer == "c")), n => n > handledByCBeforeCrash, "the crashing consumer busy", Deadline);
        thirdThroughProxy.Cut(refuse: true);
        // Nothing of the crashed consumer reaches a gateway any more: the positions now are its last acknowledgements.
        var ackedAtCrash = await clients.New(Address(second)).GetOffsetsAsync(group);
        await c.StopAsync();
        var crashed = handled.All.Where(r => r.Consumer == "c").GroupBy(r => r.Partition).ToDictionary(p => p.Key, p => p.Max(r => r.Offset));

        await PublishedAsync(4 * Records / 5);
        await using var d = RunningConsumer.Start(clients.New(Address(first)), group, handled.Handler("d"), options);
        await publishing.WaitAsync(Deadline);
        var stored = await Task.WhenAll(published).WaitAsync(Deadline);
        try
        {
            await Eventually.Until(
                () => Task.FromResult(stored.Length - handled.All.Select(r => (r.Partition, r.Offset)).Intersect(stored.Select(s => (s.Partition, s.Offset))).Count()),
                missing => missing == 0,
                "every published record handled",
                Deadline);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; consumers: d {d.Consumer.State}, b {b.Consumer.State}; gateway log:\n{Tail(first.Log)}");
        }

        await b.StopAsync();
        await d.StopAsync();

        var all = handled.All;
        foreach (var stream in all.GroupBy(r => (r.Consumer, r.Partition)))
        {
            var offsets = stream.Select(r => r.Offset).ToList();
            Assert.True(offsets.Zip(offsets.Skip(1)).All(pair => pair.First < pair.Second), $"consumer {stream.Key.Consumer} handled partition {stream.Key.Partition} out of order");
        }

        var duplicates = handled.Duplicates;
        output.WriteLine($"{stored.Length} records published, {all.Count} handled, {duplicates.Count} twice; crashed consumer held {string.Join(", ", crashed.Select(p => $"{p.Key} (acked {(ackedAtCrash.TryGetValue(p.Key, out var o) ? o.ToString() : "none")}, handled to {p.Value})"))}");
        foreach (var (partition, offset) in duplicates)
        {
            Assert.True(crashed.TryGetValue(partition, out var handledTo), $"partition {partition} offset {offset} handled twice, but the crashed consumer never held it");
            Assert.True(
                (!ackedAtCrash.TryGetValue(partition, out var acked) || offset > acked) && offset <= handledTo,
                $"partition {partition} offset {offset} handled twice outside what the crashed consumer handled after its last acknowledgement");
            Assert.Equal(["c"], all.Where(r => r.Partition == partition && r.Offset == offset).Select(r => r.Consumer).Take(1));
        }

        foreach (var partition in duplicates.GroupBy(d => d.Partition))
        {
            Assert.True(partition.Count() <= AckBatchSize, $"partition {partition.Key}: {partition.Count()} records handled twice, more than one ack batch");
        }

        async Task PublishedAsync(int count) => await Eventually.Until(
            () =>
            {
                lock (published)
                {
                    return Task.FromResult(published.Count(p => p.IsCompletedSuccessfully));
                }
            },
            n => n >= count,
            $"{count} records published",
            Deadline);
    }

    private static string Address(GatewayProcess gateway) => $"http://127.0.0.1:{gateway.GrpcPort}";

    private static string Tail(string log) => string.Join('\n', log.Split('\n').TakeLast(40));

    private sealed class Clients : IDisposable
    {
        private readonly List<LiiklusClient> _clients = [];

        public LiiklusClient New(string address, TimeSpan? callTimeout = null)
        {
            var client = new LiiklusClient(new LiiklusClientOptions { Address = new Uri(address), CallTimeout = callTimeout ?? TimeSpan.FromSeconds(20) });
            _clients.Add(client);
            return client;
        }

        public void Dispose()
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }
    }
}
