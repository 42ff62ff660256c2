using Liiklus.Storage.Records;

namespace Liiklus.Storage.Cold.Archiving;

/// <summary>One partition's records, in offset order, for an archiver. Disposing it closes its consumer.</summary>
public interface IArchiveReader : IAsyncDisposable
{
    /// <summary>
    /// The next batch: the records read since the previous one (possibly none, when the partition is quiet) and the
    /// consumer's position after them, which may be past the last record (transaction markers take offsets too).
    /// Waits at most <paramref name="wait"/> for records.
    /// </summary>
    /// <exception cref="OffsetBelowRetentionException">retention deleted the next offset before it was read</exception>
    /// <exception cref="StorageUnavailableException">Kafka failed the read</exception>
    Task<ArchiveBatch> ReadAsync(TimeSpan wait, CancellationToken cancellationToken);
}
