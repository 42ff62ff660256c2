using System.Diagnostics;
using Liiklus.Protocol;
using Liiklus.Tests.Support;

namespace Liiklus.Bench.Benchmarks;

/// <summary>
/// Acks per second through the gateway with <see cref="InFlight"/> acks in flight, for each positions storage against
/// its own server on this machine, ÷ the same with Redis, the store Liiklus deployments use. Then checks that one
/// ack costs its store one request, counted by the store itself: Redis's command statistics, PostgreSQL's
/// pg_stat_statements, dynalite's request log, the mock Kafka cluster's request log.
/// </summary>
public static class AckBenchmark
{
    private const int InFlight = 64;
    private const int CountedAcks = 1_000;

    public static async Task RunAsync(BenchHosts hosts, Workload workload, BenchResults results)
    {
        await using var redis = await StartedAsync(new RedisServer());
        // Durable as in production (fsync and synchronous commit on, the tests turn them off); the statistics
        // extension counts statements.
        await using var postgres = await StartedAsync(new PostgresServer(new Dictionary<string, string>
        {
            ["shared_preload_libraries"] = "pg_stat_statements",
        }));
        await postgres.QueryAsync("CREATE EXTENSION pg_stat_statements");
        await using var dynalite = await StartedAsync(new DynaliteServer());
        await using var loggingDynalite = await StartedAsync(new DynaliteServer(logRequests: true));
        using var kafka = new MockKafkaCluster();
        var topic = $"acks-{Guid.NewGuid():N}";
        kafka.CreateTopic(topic, InFlight);
        var kafkaHocon = kafka.GatewayHocon + "\nliiklus.storage.positions.type = KAFKA";

        var stores = new (string Name, string Hocon)[]
        {
            ("redis", redis.GatewayHocon),
            ("kafka", kafkaHocon),
            ("dynamodb", dynalite.GatewayHocon(DynaliteServer.NewTable())),
            ("postgres", postgres.GatewayHocon),
        };
        var gateways = new List<TestGateway>();
        try
        {
            foreach (var store in stores)
            {
                gateways.Add(await hosts.StartGatewayAsync(store.Hocon));
            }

            var acks = gateways.Select(gateway => new Acks(gateway.Client, topic)).ToList();
            var sides = acks.Select(ack => new MeasuredSide(workload.AcksPerRun, () => ack.RateAsync(workload.AcksPerRun))).ToArray();
            // One unmeasured run each first: the groups' rows, items and offsets exist from then on, as in a running system.
            foreach (var side in sides)
            {
                await side.WarmUpAsync();
            }

            await Interleaved.MeasureAsync(workload.Rounds, workload.WarmUp, sides);
            for (var i = 0; i < stores.Length; i++)
            {
                results.Figure($"acks.{stores[i].Name}_per_s", sides[i].BestRate);
                // The bench process's CPU per ack over the measured runs (the callers and the four gateways, the stores
                // run in processes of their own): steadier than rates on a loaded machine.
                results.Figure($"acks.{stores[i].Name}_cpu_us_per_ack", sides[i].CpuMicrosPerRecord);
                if (i > 0)
                {
                    results.Ratio($"acks_{stores[i].Name}", sides[i].BestRate / sides[0].BestRate);
                }
            }

            await CountRedisAsync(redis, acks[0], results);
            await CountKafkaAsync(kafka, acks[1], results);
            await CountPostgresAsync(postgres, acks[3], results);
            await using var counted = await hosts.StartGatewayAsync(loggingDynalite.GatewayHocon(DynaliteServer.NewTable()));
            await CountDynamoDbAsync(loggingDynalite, new Acks(counted.Client, topic), results);
        }
        finally
        {
            foreach (var gateway in gateways)
            {
                await gateway.DisposeAsync();
            }
        }
    }

    private static async Task CountRedisAsync(RedisServer redis, Acks acks, BenchResults results)
    {
        var before = await CommandCallsAsync(redis);
        await acks.RateAsync(CountedAcks);
        var after = await CommandCallsAsync(redis);
        var hsets = after.GetValueOrDefault("hset") - before.GetValueOrDefault("hset");
        var all = after.Where(c => c.Key != "info").Sum(c => c.Value) - before.Where(c => c.Key != "info").Sum(c => c.Value);
        Report(results, "redis", hsets, all);
    }

    private static async Task CountKafkaAsync(MockKafkaCluster kafka, Acks acks, BenchResults results)
    {
        const short offsetCommit = 8;
        var requests = await kafka.CountRequestsAsync(() => acks.RateAsync(CountedAcks));
        Report(results, "kafka", requests.GetValueOrDefault(offsetCommit), requests.Values.Sum());
    }

    private static async Task CountPostgresAsync(PostgresServer postgres, Acks acks, BenchResults results)
    {
        await postgres.QueryAsync("SELECT pg_stat_statements_reset()");
        await acks.RateAsync(CountedAcks);
        // Every statement the server ran since the reset, but the reset and this query.
        var upserts = long.Parse(await postgres.QueryAsync(
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE 'INSERT INTO liiklus_positions%'"));
        var all = long.Parse(await postgres.QueryAsync(
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'"));
        Report(results, "postgres", upserts, all);
    }

    private static async Task CountDynamoDbAsync(DynaliteServer dynalite, Acks acks, BenchResults results)
    {
        // The first ack of each item creates it (more than one request); counted are acks of items that exist.
        await acks.RateAsync(InFlight * 4);
        var requests = await dynalite.RequestsAsync(() => acks.RateAsync(CountedAcks));
        Report(results, "dynamodb", requests.GetValueOrDefault("UpdateItem"), requests.Values.Sum());
    }

    private static void Report(BenchResults results, string store, long writes, long all)
    {
        results.Figure($"acks.{store}_writes_per_ack", (double)writes / CountedAcks);
        results.Figure($"acks.{store}_requests_per_ack", (double)all / CountedAcks);
    }

    /// <summary>Calls per Redis command, from INFO commandstats (<c>cmdstat_hset:calls=12,...</c>).</summary>
    private static async Task<Dictionary<string, long>> CommandCallsAsync(RedisServer redis) =>
        (await redis.CliAsync("INFO", "commandstats")).Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("cmdstat_", StringComparison.Ordinal))
            .ToDictionary(
                line => line["cmdstat_".Length..line.IndexOf(':', StringComparison.Ordinal)],
                line => long.Parse(line.Split(':', 2)[1].Split(',')[0]["calls=".Length..]));

    private static async Task<T> StartedAsync<T>(T server)
        where T : Xunit.IAsyncLifetime
    {
        await server.InitializeAsync();
        return server;
    }

    /// <summary>
    /// <see cref="InFlight"/> callers, each acking rising offsets of its own partition of one group: a group's
    /// partitions streamed to as many clients, each acking as it goes.
    /// </summary>
    private sealed class Acks(LiiklusService.LiiklusServiceClient client, string topic)
    {
        private readonly string _group = $"acks-{Guid.NewGuid():N}";
        private readonly long[] _offsets = new long[InFlight];

        public async Task<double> RateAsync(int count)
        {
            var remaining = count;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, InFlight).Select(partition => Task.Run(async () =>
            {
                while (Interlocked.Decrement(ref remaining) >= 0)
                {
                    await client.AckAsync(new AckRequest
                    {
                        Topic = topic,
                        Group = _group,
                        Partition = (uint)partition,
                        Offset = (ulong)Interlocked.Increment(ref _offsets[partition]),
                    });
                }
            })));
            return count / clock.Elapsed.TotalSeconds;
        }
    }
}
