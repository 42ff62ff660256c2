using System.Diagnostics;
using Confluent.Kafka;
using Liiklus.Protocol;
using Liiklus.Tests.Support;

namespace Liiklus.Bench.Benchmarks;

/// <summary>
/// Receive over 8 partitions from Kafka (librdkafka's mock cluster) through the gateway ÷ a raw Confluent.Kafka
/// consumer, with tuned fetch settings, reading the same records.
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

        var (raw, throughGateway) = await Interleaved.BestOfAsync(
            2,
            () => Task.FromResult(RawConsumerRate(kafka, topic, perPartition)),
            () => GatewayRateAsync(gateway.Client, topic, perPartition));
        results.Figure("receive_kafka.gateway_records_per_s", throughGateway);
        results.Figure("receive_kafka.raw_consumer_records_per_s", raw);
        results.Ratio("receive_kafka", throughGateway / raw);
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

    private static double RawConsumerRate(MockKafkaCluster kafka, string topic, int perPartition)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            GroupId = "bench-raw",
            EnableAutoCommit = false,
            MaxPartitionFetchBytes = 10 * 1024 * 1024,
            FetchMaxBytes = 50 * 1024 * 1024,
            FetchWaitMaxMs = 10,
        }).SetLogHandler((_, _) => { }).Build();
        var clock = Stopwatch.StartNew();
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var remaining = perPartition * Partitions;
        while (remaining > 0)
        {
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is { Message: not null })
            {
                remaining--;
            }
        }

        return perPartition * Partitions / clock.Elapsed.TotalSeconds;
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
