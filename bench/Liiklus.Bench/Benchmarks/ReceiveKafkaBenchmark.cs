using System.Diagnostics;
using Confluent.Kafka;
using Liiklus.Protocol;
using Liiklus.Tests.Support;

namespace Liiklus.Bench.Benchmarks;

/// <summary>
/// Receive over 8 partitions from Kafka (librdkafka's mock cluster) through the gateway ÷ a raw Confluent.Kafka
/// consumer with tuned fetch settings reading the same records (and ÷ one raw consumer per core), with each side's
/// CPU time per record.
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
        Produce(kafka, topic, Partitions, perPartition);

        // The baseline is one raw consumer with tuned fetch settings, as an application reading the topic itself would
        // have. The gateway's pool polls with one consumer per core, so raw consumers in that arrangement are measured
        // too, for a stricter second ratio. Like the pooled ones, they are connected once and only assigned per run.
        using var oneConsumer = new RawConsumers(kafka, topic, count: 1);
        using var consumerPerCore = new RawConsumers(kafka, topic, Environment.ProcessorCount);
        var records = (long)perPartition * Partitions;
        var rawOne = new MeasuredSide(records, () => Task.FromResult(oneConsumer.ReadAll(Partitions, perPartition)));
        var rawPerCore = new MeasuredSide(records, () => Task.FromResult(consumerPerCore.ReadAll(Partitions, perPartition)));
        var throughGateway = new MeasuredSide(records, () => GatewayRateAsync(gateway.Client, topic, perPartition));
        // What the transport alone carries: a bare service streaming as many pre-built records over as many calls.
        // No gateway over gRPC goes faster on the same machine, whatever its storage.
        var bareStreams = new MeasuredSide(records, () => BareStreamsRateAsync(hosts, perPartition));
        await Interleaved.MeasureAsync(workload.Rounds, workload.WarmUp, rawOne, rawPerCore, throughGateway, bareStreams);

        results.Figure("receive_kafka.gateway_records_per_s", throughGateway.BestRate);
        results.Figure("receive_kafka.raw_one_consumer_records_per_s", rawOne.BestRate);
        results.Figure($"receive_kafka.raw_{Environment.ProcessorCount}_consumers_records_per_s", rawPerCore.BestRate);
        results.Figure("receive_kafka.bare_grpc_8_streams_records_per_s", bareStreams.BestRate);
        // Process CPU per record shows the ceiling on this machine: the gateway does a raw consumer's work and a gRPC
        // service's (with its client in this same process), so it cannot beat cores ÷ (their sum) records per second.
        results.Figure("receive_kafka.gateway_cpu_us_per_record", throughGateway.CpuMicrosPerRecord);
        results.Figure("receive_kafka.raw_one_consumer_cpu_us_per_record", rawOne.CpuMicrosPerRecord);
        results.Figure($"receive_kafka.raw_{Environment.ProcessorCount}_consumers_cpu_us_per_record", rawPerCore.CpuMicrosPerRecord);
        results.Figure("receive_kafka.bare_grpc_8_streams_cpu_us_per_record", bareStreams.CpuMicrosPerRecord);
        // Allocation per record does not depend on the machine's load, as CPU time does: the per-record garbage of each path.
        results.Figure("receive_kafka.gateway_allocated_bytes_per_record", throughGateway.AllocatedBytesPerRecord);
        results.Figure("receive_kafka.raw_one_consumer_allocated_bytes_per_record", rawOne.AllocatedBytesPerRecord);
        results.Figure("receive_kafka.bare_grpc_8_streams_allocated_bytes_per_record", bareStreams.AllocatedBytesPerRecord);
        results.Ratio("receive_kafka", throughGateway.BestRate / rawOne.BestRate);
        results.Ratio("receive_kafka_per_core", throughGateway.BestRate / rawPerCore.BestRate);
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

    /// <summary>Lays down <paramref name="perPartition"/> 100-byte records on each of the topic's first partitions.</summary>
    internal static void Produce(MockKafkaCluster kafka, string topic, int partitions, int perPartition)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            LingerMs = 5,
            BatchSize = 1_000_000,
        }).SetLogHandler((_, _) => { }).Build();
        var value = new byte[Workload.RecordSize];
        for (var partition = 0; partition < partitions; partition++)
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
