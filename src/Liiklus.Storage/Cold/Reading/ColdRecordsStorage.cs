using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Liiklus.Storage.Cold.Telemetry;
using Liiklus.Storage.Records;

namespace Liiklus.Storage.Cold.Reading;

/// <summary>
/// The records storage with cold storage behind it: a partition of a topic cold storage archives is read from the
/// cold store below Kafka's earliest retained offset and from Kafka after it (<see cref="ColdReplay"/>); every other
/// call, and every other topic, goes to the records storage unchanged (positions older than retention start at the
/// oldest retained record there).
/// </summary>
public sealed class ColdRecordsStorage(
    IRecordsStorage inner,
    IRetentionAwareRecordsStorage retained,
    IColdStore store,
    ColdTopics topics,
    ColdBlockCache cache,
    ColdMetrics metrics,
    Func<IMaterializer> materializer) : IRecordsStorage
{
    public Task<PublishResult> PublishAsync(string topic, OutgoingRecord record, CancellationToken cancellationToken) =>
        inner.PublishAsync(topic, record, cancellationToken);

    public Task<int> GetPartitionCountAsync(string topic, CancellationToken cancellationToken) =>
        inner.GetPartitionCountAsync(topic, cancellationToken);

    public Task<IReadOnlyDictionary<int, long>> GetEndOffsetsAsync(string topic, CancellationToken cancellationToken) =>
        inner.GetEndOffsetsAsync(topic, cancellationToken);

    /// <summary>For an archived topic, the oldest offset the cold store holds where it is older than Kafka's.</summary>
    public async Task<IReadOnlyDictionary<int, long>> GetEarliestOffsetsAsync(string topic, CancellationToken cancellationToken)
    {
        var kafka = await inner.GetEarliestOffsetsAsync(topic, cancellationToken).ConfigureAwait(false);
        if (!topics.Matches(topic))
        {
            return kafka;
        }

        var earliest = new Dictionary<int, long>(kafka.Count);
        foreach (var (partition, offset) in kafka)
        {
            earliest[partition] = Math.Min(offset, await ColdReplay.ColdFirstAsync(store, topic, partition, cancellationToken).ConfigureAwait(false) ?? offset);
        }

        return earliest;
    }

    public Task<IReadOnlyDictionary<int, long>> GetOffsetsForTimestampAsync(string topic, DateTimeOffset timestamp, CancellationToken cancellationToken) =>
        inner.GetOffsetsForTimestampAsync(topic, timestamp, cancellationToken);

    public Task<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken) =>
        inner.ListTopicsAsync(cancellationToken);

    public Source<IReadOnlyList<StoredRecord>, NotUsed> PartitionSource(string topic, int partition, StartPosition start)
    {
        if (start is StartPosition.LatestPosition || !topics.Matches(topic))
        {
            return inner.PartitionSource(topic, partition, start);
        }

        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        var replay = new ColdReplay(inner, retained, cache, store, metrics, materializer, topic, partition);
        return Source.From(() => replay.ReadAsync(start, CancellationToken.None));
    }

    // A stream rests only at the tail, which the inner storage holds.
    public IDisposable? WakeOnAppend(string topic, int partition, long offset, Action wake) =>
        inner.WakeOnAppend(topic, partition, offset, wake);

    public IReadOnlyList<StoredRecord>? ReadAtTail(string topic, int partition, long offset, int maxRecords) =>
        inner.ReadAtTail(topic, partition, offset, maxRecords);

    // The earliest record may be in the archive, which the inner storage does not know of.
    public long? RestingOffset(string topic, int partition, StartPosition start) =>
        start is StartPosition.EarliestPosition ? null : inner.RestingOffset(topic, partition, start);
}
