using System.Diagnostics;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Liiklus.Storage.Cold;
using Liiklus.Storage.Cold.Memory;
using Liiklus.Storage.Cold.Reading;
using Liiklus.Storage.Cold.Telemetry;
using Liiklus.Storage.Records;
using Liiklus.Tests.Support;

namespace Liiklus.Bench.Benchmarks;

/// <summary>
/// Replaying one partition from the cold store (the in-memory store: the segment format's decompression and checks,
/// no network) through the read path ÷ reading the same records from Kafka (librdkafka's mock cluster) through the
/// Kafka records storage; each cold round starts with an empty block cache. Then 10 groups replaying the partition at
/// once, counting the store's block fetches per block, and the time to the first record of a replay from the cold
/// store.
/// </summary>
public static class ColdReplayBenchmark
{
    private const int Groups = 10;

    public static async Task RunAsync(BenchHosts hosts, Workload workload, BenchResults results)
    {
        // The mock keeps roughly the newest 45,000 small records of a partition: the Kafka side stays within that.
        var records = workload.Quick ? 20_000 : 40_000;
        using var kafka = new MockKafkaCluster();
        using var system = ActorSystem.Create("cold-bench", "akka.loglevel = WARNING");
        var store = new InMemoryColdStore();
        using var rig = new ColdRig(kafka, system, store);
        var inKafka = rig.NewTopic();
        var inCold = rig.NewTopic();
        await rig.PublishAsync(inKafka, records);
        await rig.PublishAsync(inCold, records);
        var archiver = rig.StartArchiver(inCold, settings: ColdRig.Settings(segmentMaxBytes: 1024 * 1024, segmentMaxAge: TimeSpan.FromMilliseconds(500)));
        await rig.WaitArchivedAsync(inCold, records, TimeSpan.FromMinutes(2));
        system.Stop(archiver);
        kafka.DeleteRecords(inCold, 0, records);

        var fromKafka = new MeasuredSide(records, () => RateAsync(rig.Kafka, inKafka, records, rig.Materializer));
        var fromCold = new MeasuredSide(records, () => RateAsync(FreshReadPath(rig, store), inCold, records, rig.Materializer));
        await Interleaved.MeasureAsync(workload.Rounds, workload.WarmUp, fromKafka, fromCold);
        results.Figure("cold_replay.kafka_records_per_s", fromKafka.BestRate);
        results.Figure("cold_replay.cold_records_per_s", fromCold.BestRate);
        results.Figure("cold_replay.cold_cpu_us_per_record", fromCold.CpuMicrosPerRecord);
        results.Ratio("cold_replay", fromCold.BestRate / fromKafka.BestRate);

        var blocks = await BlockCountAsync(store, inCold);
        var readBefore = store.BlockReads;
        var shared = FreshReadPath(rig, store);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Groups).Select(_ => ReadAsync(shared, inCold, records, rig.Materializer)));
        results.Figure("cold_replay.10_groups_records_per_s", (double)records * Groups / clock.Elapsed.TotalSeconds);
        results.Figure("cold_replay.10_groups_store_block_reads_per_block", (double)(store.BlockReads - readBefore) / blocks);

        var firstRecord = double.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            var started = Stopwatch.StartNew();
            await FreshReadPath(rig, store).PartitionSource(inCold, 0, StartPosition.Earliest).RunWith(Sink.First<IReadOnlyList<StoredRecord>>(), rig.Materializer);
            firstRecord = Math.Min(firstRecord, started.Elapsed.TotalMilliseconds);
        }

        results.Figure("cold_replay.time_to_first_record_ms", firstRecord);
    }

    /// <summary>The read path with an empty block cache of its own.</summary>
    private static ColdRecordsStorage FreshReadPath(ColdRig rig, IColdStore store)
    {
        var metrics = new ColdMetrics(null);
        return new ColdRecordsStorage(rig.Kafka, rig.Kafka, store, ColdTopics.Parse("cold-*"), new ColdBlockCache(store, 256L * 1024 * 1024, metrics), metrics, () => rig.Materializer);
    }

    private static async Task<double> RateAsync(IRecordsStorage storage, string topic, int records, IMaterializer materializer)
    {
        var clock = Stopwatch.StartNew();
        await ReadAsync(storage, topic, records, materializer);
        return records / clock.Elapsed.TotalSeconds;
    }

    private static Task ReadAsync(IRecordsStorage storage, string topic, int records, IMaterializer materializer) =>
        storage.PartitionSource(topic, 0, StartPosition.Earliest)
            .TakeWhile(chunk => chunk[^1].Offset < records - 1, inclusive: true)
            .RunWith(Sink.Ignore<IReadOnlyList<StoredRecord>>(), materializer);

    private static async Task<long> BlockCountAsync(IColdStore store, string topic)
    {
        long blocks = 0;
        await foreach (var range in store.ListAsync(topic, 0, 0, CancellationToken.None))
        {
            if (range is ColdSegment segment)
            {
                blocks += (await store.ReadIndexAsync(segment, CancellationToken.None)).Blocks.Count;
            }
        }

        return blocks;
    }
}
