using System.Diagnostics;
using Confluent.Kafka;
using Liiklus.Protocol;
using Liiklus.Tests.Support;

namespace Liiklus.Bench.Benchmarks;

/// <summary>
/// Receive over 8 partitions from Kafka (librdkafka's mock cluster) through the gateway ÷ raw Confluent.Kafka
/// consumers, with tuned fetch settings, reading the same records.
/// </summary>
public static class ReceiveKafkaBenchmark
{
    private const int Partitions = 8;

    public static async Task RunAsync(BenchHosts hosts, Workload workload, BenchResults results)
    {
        using var kafka = new MockKafkaCluster();
        await using var gateway = await hosts.StartGatewayAsync($$"""
            liiklus.storage.records.type = KAFKA
            liiklus.storage.kafka {
              bootstrap-servers = "{{kafka.BootstrapServers}}"
              properties { "fetch.wait.max.ms" = 10 }
            }
            """);
        // The mock keeps roughly the newest 45,000 100-byte records of a partition: stay within that.
        var perPartition = workload.Quick ? 5_000 : 30_000;
        var topic = $"receive-kafka-{Guid.NewGuid():N}";
        kafka.CreateTopic(topic, Partitions);
        Produce(kafka, topic, perPartition);

        // The raw side's best arrangement is the baseline: one consumer for all partitions, or one per core (as the
        // gateway's pool spreads its streams), whichever reads faster here. Like the gateway's pooled consumers, they
        // are built and connected once and only assigned per round.
        using var oneConsumer = new RawConsumers(kafka, topic, count: 1);
        using var consumerPerCore = new RawConsumers(kafka, topic, Environment.ProcessorCount);
        var rawOne = 0.0;
        var rawPerCore = 0.0;
        var (raw, throughGateway) = await Interleaved.BestOfAsync(
            workload.Rounds,
            () =>
            {
                rawOne = Math.Max(rawOne, oneConsumer.ReadAll(Partitions, perPartition));
                rawPerCore = Math.Max(rawPerCore, consumerPerCore.ReadAll(Partitions, perPartition));
                return Task.FromResult(Math.Max(rawOne, rawPerCore));
            },
            () => GatewayRateAsync(gateway.Client, topic, perPartition));
        results.Figure("receive_kafka.gateway_records_per_s", throughGateway);
        results.Figure("receive_kafka.raw_consumer_records_per_s", raw);
        results.Figure("receive_kafka.raw_one_consumer_records_per_s", rawOne);
        results.Figure($"receive_kafka.raw_{Environment.ProcessorCount}_consumers_records_per_s", rawPerCore);
        results.Ratio("receive_kafka", throughGateway / raw);

        // What the transport alone carries: a bare service streaming as many pre-built records over as many calls.
        // No gateway over gRPC can go faster than this on the same machine, whatever its storage.
        var bareStreams = 0.0;
        for (var round = 0; round < workload.Rounds; round++)
        {
            bareStreams = Math.Max(bareStreams, await BareStreamsRateAsync(hosts, perPartition));
        }

        results.Figure("receive_kafka.bare_grpc_8_streams_records_per_s", bareStreams);
    }

    private static async Task<double> BareStreamsRateAsync(BenchHosts hosts, int perStream)
    {
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Partitions).Select(_ => Task.Run(async () =>
        {
            using var receive = hosts.Bare.Receive(new ReceiveRequest { LastKnownOffset = (ulong)perStream });
            await receive.ReadAsync(perStream);
        })));
        return perStream * Partitions / clock.Elapsed.TotalSeconds;
    }

    private static void Produce(MockKafkaCluster kafka, string topic, int perPartition)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            LingerMs = 5,
            BatchSize = 1_000_000,
        }).SetLogHandler((_, _) => { }).Build();
        var value = new byte[Workload.RecordSize];
        for (var partition = 0; partition < Partitions; partition++)
        {
            for (var i = 0; i < perPartition; i++)
            {
                producer.Produce(new TopicPartition(topic, partition), new Message<byte[]?, byte[]> { Value = value });
            }
        }

        producer.Flush(TimeSpan.FromMinutes(1));
    }

    private static async Task<double> GatewayRateAsync(LiiklusService.LiiklusServiceClient gateway, string topic, int perPartition)
    {
        using var subscription = gateway.Subscribe(new SubscribeRequest { Topic = topic, Group = $"bench-{Guid.NewGuid():N}" });
        var clock = Stopwatch.StartNew();
        var streams = new List<Task>();
        while (streams.Count < Partitions && await subscription.ResponseStream.MoveNext(CancellationToken.None))
        {
            var assignment = subscription.ResponseStream.Current.Assignment;
            streams.Add(Task.Run(async () =>
            {
                using var receive = gateway.Receive(new ReceiveRequest { Assignment = assignment });
                await receive.ReadAsync(perPartition);
            }));
        }

        await Task.WhenAll(streams);
        return perPartition * Partitions / clock.Elapsed.TotalSeconds;
    }
}
