using Akka;
using Akka.Streams.Dsl;

namespace Liiklus.Storage.Records;

/// <summary>
/// Where events live. Implementations must be safe to call concurrently and must never push records
/// faster than the stream that reads a partition pulls them.
/// </summary>
public interface IRecordsStorage
{
    /// <summary>Appends a record; answers where it landed.</summary>
    /// <exception cref="StorageUnavailableException">the storage cannot be reached within the deadline</exception>
    /// <exception cref="RecordTooLargeException">the record exceeds the storage's maximum size</exception>
    Task<PublishResult> PublishAsync(string topic, OutgoingRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// The topic's partition count, for the group coordinator. Follows the storage's topic creation policy:
    /// a storage that creates topics on first use does so here.
    /// </summary>
    Task<int> GetPartitionCountAsync(string topic, CancellationToken cancellationToken);

    /// <summary>
    /// Partition → offset of the last record, or -1 for a partition without records.
    /// An unknown topic answers an empty map and is not created.
    /// </summary>
    Task<IReadOnlyDictionary<int, long>> GetEndOffsetsAsync(string topic, CancellationToken cancellationToken);

    /// <summary>
    /// Partition → offset of the oldest retained record: where a reader from the earliest position starts, or the
    /// offset the next record will get for a partition that holds none. An unknown topic answers an empty map and is
    /// not created.
    /// </summary>
    /// <exception cref="StorageUnavailableException">the storage cannot be reached within the deadline</exception>
    Task<IReadOnlyDictionary<int, long>> GetEarliestOffsetsAsync(string topic, CancellationToken cancellationToken);

    /// <summary>
    /// Partition → offset of the first record whose timestamp is at or after <paramref name="timestamp"/>, or the
    /// offset the next record will get for a partition that holds none (as Kafka's offsets-for-times lookup). Only
    /// retained records count: a time older than retention answers the oldest retained record. An unknown topic
    /// answers an empty map and is not created.
    /// </summary>
    /// <exception cref="StorageUnavailableException">the storage cannot be reached within the deadline</exception>
    Task<IReadOnlyDictionary<int, long>> GetOffsetsForTimestampAsync(string topic, DateTimeOffset timestamp, CancellationToken cancellationToken);

    /// <summary>
    /// The names of the topics the storage holds, ordered (ordinal). A storage's own internal topics (Kafka's
    /// <c>__</c> names) are left out.
    /// </summary>
    /// <exception cref="StorageUnavailableException">the storage cannot be reached within the deadline</exception>
    Task<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// A source of one partition's records from <paramref name="start"/> on, in offset order, that keeps tailing
    /// new records and never completes by itself. Each pull gets one chunk: the consecutive records at hand, at
    /// least one and at most <see cref="ChunkBounds.MaxRecords"/>, so a stream pays its per-element cost once per
    /// chunk, not once per record. It reads only as far as downstream demand reaches.
    /// </summary>
    Source<IReadOnlyList<StoredRecord>, NotUsed> PartitionSource(string topic, int partition, StartPosition start);

    /// <summary>
    /// Calls <paramref name="wake"/> once a record at or after <paramref name="offset"/> of the partition can be read
    /// (at once when one can already, or when the storage cannot tell; a spurious call is allowed): what lets an idle
    /// stream let go of its graph and start a new one from <paramref name="offset"/> when records come. Disposing the
    /// answer stops the wait. Null when the storage has no such hook: the stream then keeps its graph.
    /// </summary>
    IDisposable? WakeOnAppend(string topic, int partition, long offset, Action wake) => null;

    /// <summary>
    /// The offset a stream starting at <paramref name="start"/> reads first, when the storage knows it without I/O and
    /// holds the partition's records from there on in memory, for <see cref="ReadAtTail"/>; null otherwise (a read
    /// needed to tell, or records to fetch). A new stream given one starts at rest: it takes what is there with
    /// <see cref="ReadAtTail"/> and waits for more with <see cref="WakeOnAppend"/>, without a graph.
    /// </summary>
    long? RestingOffset(string topic, int partition, StartPosition start) => null;

    /// <summary>
    /// Up to <paramref name="maxRecords"/> records from <paramref name="offset"/> on, when the storage holds them in
    /// memory at the partition's tail and reads them without I/O (none when no record is there yet); null when it
    /// cannot (the offset is not at its tail: a stream then reads through <see cref="PartitionSource"/>). What lets a
    /// stream at rest take a few new records without starting a graph.
    /// </summary>
    IReadOnlyList<StoredRecord>? ReadAtTail(string topic, int partition, long offset, int maxRecords) => null;
}
