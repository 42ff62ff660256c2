namespace Liiklus.Storage.Cold;

/// <summary>
/// Where records past Kafka's retention are kept: per (topic, partition), a chain of ranges of offsets, each an
/// archived <see cref="ColdSegment"/> or a recorded <see cref="ColdGap"/>. The store is the truth about what is
/// archived: an archiver resumes from <see cref="GetArchivedNextAsync"/> after any crash.
/// </summary>
/// <remarks>
/// Writes never leave two overlapping ranges that both answered <see cref="ColdWriteOutcome.Written"/> or
/// <see cref="ColdWriteOutcome.AlreadyArchived"/>: the same range written twice is one copy, and a writer that
/// overlaps a range written by another (racing archivers) is answered <see cref="ColdWriteOutcome.Conflict"/>.
/// A store that cannot be reached, or does not answer in time, throws <see cref="StorageUnavailableException"/>;
/// bytes that fail their checks throw <see cref="ColdSegmentCorruptException"/>.
/// </remarks>
public interface IColdStore
{
    /// <summary>
    /// Archives [<paramref name="baseOffset"/>, <paramref name="nextOffset"/>) of a partition: <paramref name="records"/>
    /// are every record Kafka holds in that range, in offset order (offsets without a record are covered too).
    /// </summary>
    /// <exception cref="ArgumentException">an empty range, or records out of order or outside the range</exception>
    Task<ColdWriteResult> WriteSegmentAsync(
        string topic,
        int partition,
        long baseOffset,
        long nextOffset,
        IReadOnlyList<ColdRecord> records,
        CancellationToken cancellationToken);

    /// <summary>
    /// Records that [<paramref name="fromOffset"/>, <paramref name="toOffset"/>) was deleted from Kafka before it was
    /// archived: readers of it are told the range is lost, and the archiver goes on at <paramref name="toOffset"/>.
    /// </summary>
    /// <exception cref="ArgumentException">an empty range</exception>
    Task<ColdWriteResult> WriteGapAsync(string topic, int partition, long fromOffset, long toOffset, CancellationToken cancellationToken);

    /// <summary>The range covering <paramref name="offset"/>, a segment or a gap, or null when nothing does.</summary>
    Task<ColdRange?> FindAsync(string topic, int partition, long offset, CancellationToken cancellationToken);

    /// <summary>
    /// The first offset not archived: the end of the partition's last range (segment or gap), or null when the store
    /// holds nothing of the partition.
    /// </summary>
    Task<long?> GetArchivedNextAsync(string topic, int partition, CancellationToken cancellationToken);

    /// <summary>The partition's ranges that end after <paramref name="fromOffset"/>, in offset order.</summary>
    IAsyncEnumerable<ColdRange> ListAsync(string topic, int partition, long fromOffset, CancellationToken cancellationToken);

    /// <summary>The partitions the store holds anything of, of one topic or of every topic, sorted.</summary>
    Task<IReadOnlyList<ColdPartition>> ListPartitionsAsync(string? topic, CancellationToken cancellationToken);

    /// <summary>A segment's footer with its block index: one fetch of the store.</summary>
    Task<ColdSegmentIndex> ReadIndexAsync(ColdSegment segment, CancellationToken cancellationToken);

    /// <summary>One block of a segment, checked and decompressed: one fetch of the store, of that block's bytes only.</summary>
    Task<ColdBlock> ReadBlockAsync(ColdSegmentIndex index, int block, CancellationToken cancellationToken);
}
