using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Liiklus.Protocol;
using Liiklus.Storage.Records.Kafka;
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
        await using var gateway = await hosts.StartKafkaGatewayAsync(kafka, "\"fetch.wait.max.ms\" = 10, \"statistics.interval.ms\" = 200");
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
        var storage = gateway.Services.GetRequiredService<KafkaRecordsStorage>();
        var brokerBytesBefore = storage.BrokerMessageBytes;
        // Per gateway run (warm-up ones too), when the last of its streams had its first record.
        var lastFirstRecords = new List<TimeSpan>();
        var throughGateway = new MeasuredSide(records, () => GatewayRateAsync(gateway.Client, topic, perPartition, lastFirstRecords));
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
        // Cores the process kept busy during each side's runs: a side below the machine's cores waited, not computed.
        results.Figure("receive_kafka.gateway_cores_busy", throughGateway.CoresBusy);
        results.Figure("receive_kafka.raw_one_consumer_cores_busy", rawOne.CoresBusy);
        results.Figure("receive_kafka.bare_grpc_8_streams_cores_busy", bareStreams.CoresBusy);
        // Each measured gateway run's rate, and how long into it its last stream waited for a first record: the time its
        // streams spent starting (subscription, assignments, placing, a consumer slot, the first fetch) rather than reading.
        for (var round = 0; round < throughGateway.Rates.Count; round++)
        {
            results.Figure($"receive_kafka.gateway_round_{round + 1}_records_per_s", throughGateway.Rates[round]);
            results.Figure(
                $"receive_kafka.gateway_round_{round + 1}_last_first_record_ms",
                lastFirstRecords[lastFirstRecords.Count - throughGateway.Rates.Count + round].TotalMilliseconds);
        }

        // Allocation per record does not depend on the machine's load, as CPU time does: the per-record garbage of each path.
        results.Figure("receive_kafka.gateway_allocated_bytes_per_record", throughGateway.AllocatedBytesPerRecord);
        results.Figure("receive_kafka.raw_one_consumer_allocated_bytes_per_record", rawOne.AllocatedBytesPerRecord);
        results.Figure("receive_kafka.bare_grpc_8_streams_allocated_bytes_per_record", bareStreams.AllocatedBytesPerRecord);
        // Message bytes the gateway's consumers took from the brokers per record it delivered (librdkafka's statistics,
        // every 200 ms): more than a record's size when a paused partition's prefetch is dropped and fetched again.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        results.Figure("receive_kafka.gateway_broker_bytes_per_record", (double)(storage.BrokerMessageBytes - brokerBytesBefore) / (records * lastFirstRecords.Count));
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
            // Every record is queued before the flush: librdkafka's default bound (100,000) fails a produce on a busy machine.
            QueueBufferingMaxMessages = Math.Max(100_000, partitions * perPartition),
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

    private static async Task<double> GatewayRateAsync(LiiklusService.LiiklusServiceClient gateway, string topic, int perPartition, List<TimeSpan> lastFirstRecords)
    {
        using var subscription = gateway.Subscribe(new SubscribeRequest { Topic = topic, Group = $"bench-{Guid.NewGuid():N}" });
        var clock = Stopwatch.StartNew();
        var lastFirstRecord = TimeSpan.Zero;
        var firstRecordLock = new Lock();
        var streams = new List<Task>();
        while (streams.Count < Partitions && await subscription.ResponseStream.MoveNext(CancellationToken.None))
        {
            var assignment = subscription.ResponseStream.Current.Assignment;
            streams.Add(Task.Run(async () =>
            {
                using var receive = gateway.Receive(new ReceiveRequest { Assignment = assignment });
                await receive.ReadAsync(1);
                lock (firstRecordLock)
                {
                    lastFirstRecord = clock.Elapsed > lastFirstRecord ? clock.Elapsed : lastFirstRecord;
                }

                await receive.ReadAsync(perPartition - 1);
            }));
        }

        await Task.WhenAll(streams);
        var elapsed = clock.Elapsed;
        lastFirstRecords.Add(lastFirstRecord);
        return perPartition * Partitions / elapsed.TotalSeconds;
    }
}
