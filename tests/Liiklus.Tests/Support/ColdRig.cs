using System.Text;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Liiklus.Actors.Cold;
using Liiklus.Storage.Cold;
using Liiklus.Storage.Cold.Reading;
using Liiklus.Storage.Cold.Telemetry;
using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Kafka;

namespace Liiklus.Tests.Support;

/// <summary>
/// Cold storage's parts on the Kafka mock cluster: the Kafka records storage, a cold store, the read path over both,
/// and archivers started as plain actors (sharding only places them).
/// </summary>
public sealed class ColdRig : IDisposable
{
    private readonly ActorSystem _system;
    private readonly IMaterializer _materializer;

    public ColdRig(MockKafkaCluster cluster, ActorSystem system, IColdStore store, ColdMetrics? metrics = null, KafkaRecordsOptions? options = null)
    {
        _system = system;
        _materializer = system.Materializer();
        Cluster = cluster;
        Store = store;
        Metrics = metrics ?? new ColdMetrics(null);
        Kafka = new KafkaRecordsStorage(options ?? cluster.StorageOptions(), _materializer);
        Cache = new ColdBlockCache(store, 64L * 1024 * 1024, Metrics);
        Records = new ColdRecordsStorage(Kafka, Kafka, store, ColdTopics.Parse("cold-*"), Cache, Metrics, () => _materializer);
    }

    public MockKafkaCluster Cluster { get; }

    public IColdStore Store { get; }

    public ColdMetrics Metrics { get; }

    public KafkaRecordsStorage Kafka { get; }

    public ColdBlockCache Cache { get; }

    /// <summary>The read path: Kafka with the cold store behind it, for topics named <c>cold-*</c>.</summary>
    public ColdRecordsStorage Records { get; }

    public static ColdArchiveSettings Settings(long segmentMaxBytes = 32 * 1024, TimeSpan? segmentMaxAge = null) =>
        new(ColdTopics.Parse("cold-*"), segmentMaxBytes, segmentMaxAge ?? TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(100));

    /// <summary>A fresh archived topic of one partition.</summary>
    public string NewTopic()
    {
        var topic = $"cold-{Guid.NewGuid():N}";
        Cluster.CreateTopic(topic, 1);
        return topic;
    }

    public IActorRef StartArchiver(string topic, int partition = 0, ColdArchiveSettings? settings = null, IColdStore? store = null) =>
        _system.ActorOf(PartitionArchiver.Props(topic, partition, store ?? Store, Kafka, Metrics, settings ?? Settings()));

    /// <summary>
    /// Publishes <paramref name="count"/> records to partition 0 with every shape of field: null and empty keys and
    /// values, repeated header names, header values null-free but empty; in order, offsets from the partition's end.
    /// </summary>
    public async Task PublishAsync(string topic, int count, int from = 0)
    {
        var stamp = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        for (var start = from; start < from + count; start += 500)
        {
            var batch = Enumerable.Range(start, Math.Min(500, from + count - start)).Select(i => new OutgoingRecord(
                i % 7 == 0 ? null : Encoding.UTF8.GetBytes($"key-{i % 5}"),
                i % 13 == 0 ? [] : Encoding.UTF8.GetBytes($"value-{i}-{new string('x', i % 50)}"),
                i % 3 == 0 ? [new RecordHeader("h", Encoding.UTF8.GetBytes("1")), new RecordHeader("g", []), new RecordHeader("h", Encoding.UTF8.GetBytes($"2-{i}"))] : [],
                stamp.AddMilliseconds(i)));
            // One at a time within a batch would be slow; the idempotent producer keeps a partition's order.
            var published = await Task.WhenAll(batch.Select(record => Kafka.PublishAsync(topic, record, CancellationToken.None)));
            if (published.Any(p => p.Partition != 0))
            {
                throw new InvalidOperationException("a one-partition topic put a record elsewhere");
            }
        }
    }

    public Task<long?> ArchivedAsync(string topic, int partition = 0) => Store.GetArchivedNextAsync(topic, partition, CancellationToken.None);

    public Task WaitArchivedAsync(string topic, long next, TimeSpan? deadline = null) =>
        Eventually.Until(() => ArchivedAsync(topic), archived => archived >= next, $"{topic} archived up to {next}", deadline);

    /// <summary>The first <paramref name="count"/> records of a partition as <paramref name="storage"/> reads them from the earliest position.</summary>
    public Task<IReadOnlyList<StoredRecord>> ReadAsync(IRecordsStorage storage, string topic, int count, StartPosition? start = null) =>
        storage.PartitionSource(topic, 0, start ?? StartPosition.Earliest)
            .Records()
            .Take(count)
            .CompletionTimeout(TimeSpan.FromSeconds(30))
            .RunWith(Sink.Seq<StoredRecord>(), _materializer)
            .ContinueWith(t => (IReadOnlyList<StoredRecord>)t.Result, TaskScheduler.Default);

    public IMaterializer Materializer => _materializer;

    public void Dispose() => Kafka.Dispose();
}
