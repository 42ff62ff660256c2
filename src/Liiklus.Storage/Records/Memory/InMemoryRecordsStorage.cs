using System.Collections.Concurrent;
using Akka;
using Akka.Streams.Dsl;

namespace Liiklus.Storage.Records.Memory;

/// <summary>
/// Records kept in this process, per node: topics are created on first use, keyed records are partitioned as
/// Kafka's Java producer does, null keys spread round-robin, and each partition keeps a bounded tail. Like Kafka's
/// CreatePartitions, <see cref="IncreasePartitions"/> gives a topic more partitions while it is in use.
/// </summary>
public sealed class InMemoryRecordsStorage(InMemoryRecordsOptions options) : IRecordsStorage
{
    private readonly ConcurrentDictionary<string, PartitionLog[]> _topics = new();
    private int _roundRobin = -1;

    public Task<PublishResult> PublishAsync(string topic, OutgoingRecord record, CancellationToken cancellationToken)
    {
        var partitions = GetOrCreate(topic);
        var partition = record.Key is { Length: > 0 } key
            ? Murmur2Partitioner.PartitionFor(key, partitions.Length)
            : (int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)partitions.Length);
        var offset = partitions[partition].Append(record);
        return Task.FromResult(new PublishResult(partition, offset));
    }

    public Task<int> GetPartitionCountAsync(string topic, CancellationToken cancellationToken) =>
        Task.FromResult(GetOrCreate(topic).Length);

    public Task<IReadOnlyDictionary<int, long>> GetEndOffsetsAsync(string topic, CancellationToken cancellationToken)
    {
        var endOffsets = new Dictionary<int, long>();
        if (_topics.TryGetValue(topic, out var partitions))
        {
            foreach (var log in partitions)
            {
                endOffsets[log.Partition] = log.Watermarks.NextOffset - 1;
            }
        }

        return Task.FromResult<IReadOnlyDictionary<int, long>>(endOffsets);
    }

    public Task<IReadOnlyDictionary<int, long>> GetEarliestOffsetsAsync(string topic, CancellationToken cancellationToken)
    {
        var earliest = new Dictionary<int, long>();
        if (_topics.TryGetValue(topic, out var partitions))
        {
            foreach (var log in partitions)
            {
                earliest[log.Partition] = log.Watermarks.LowWatermark;
            }
        }

        return Task.FromResult<IReadOnlyDictionary<int, long>>(earliest);
    }

    public Task<IReadOnlyDictionary<int, long>> GetOffsetsForTimestampAsync(string topic, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        var offsets = new Dictionary<int, long>();
        if (_topics.TryGetValue(topic, out var partitions))
        {
            foreach (var log in partitions)
            {
                offsets[log.Partition] = log.FirstAtOrAfter(timestamp);
            }
        }

        return Task.FromResult<IReadOnlyDictionary<int, long>>(offsets);
    }

    public Task<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([.. _topics.Keys.Order(StringComparer.Ordinal)]);

    public Source<IReadOnlyList<StoredRecord>, NotUsed> PartitionSource(string topic, int partition, StartPosition start)
    {
        var partitions = GetOrCreate(topic);
        if (partition < 0 || partition >= partitions.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(partition), partition, $"topic '{topic}' has {partitions.Length} partitions");
        }

        return Source.FromGraph(new PartitionLogSource(partitions[partition], start));
    }

    public IDisposable? WakeOnAppend(string topic, int partition, long offset, Action wake)
    {
        var partitions = GetOrCreate(topic);
        if (partition < 0 || partition >= partitions.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(partition), partition, $"topic '{topic}' has {partitions.Length} partitions");
        }

        var log = partitions[partition];
        var wait = new AppendWait(log, wake);
        if (!log.WaitForAppend(offset, wait.Fire))
        {
            // A record is there already.
            wait.Fire();
        }

        return wait;
    }

    public IReadOnlyList<StoredRecord>? ReadAtTail(string topic, int partition, long offset, int maxRecords)
    {
        var partitions = GetOrCreate(topic);
        return partition >= 0 && partition < partitions.Length ? partitions[partition].ReadAt(offset, maxRecords) : null;
    }

    public long? RestingOffset(string topic, int partition, StartPosition start)
    {
        var partitions = GetOrCreate(topic);
        return partition >= 0 && partition < partitions.Length ? partitions[partition].Resolve(start) : null;
    }

    /// <summary>
    /// Gives <paramref name="topic"/> (created when unknown) <paramref name="partitions"/> partitions in all; existing
    /// partitions keep their records. As in Kafka, a topic's partitions are never fewer.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">fewer partitions than the topic has</exception>
    public void IncreasePartitions(string topic, int partitions)
    {
        _topics.AddOrUpdate(
            topic,
            _ => NewLogs(0, partitions),
            (_, existing) => partitions < existing.Length
                ? throw new ArgumentOutOfRangeException(nameof(partitions), partitions, $"topic '{topic}' has {existing.Length} partitions already")
                : [.. existing, .. NewLogs(existing.Length, partitions)]);
    }

    private PartitionLog[] NewLogs(int from, int to) =>
        [.. Enumerable.Range(from, to - from).Select(p => new PartitionLog(p, options.RetentionPerPartition))];

    private PartitionLog[] GetOrCreate(string topic) => _topics.GetOrAdd(topic, _ => NewLogs(0, options.PartitionsPerTopic));
}
