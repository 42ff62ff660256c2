namespace Liiklus.Storage.Cold.Archiving;

/// <summary>Where an archiver reads a partition from: a records storage that can hand out every field Kafka keeps.</summary>
public interface IArchiveSource
{
    /// <summary>
    /// A reader of one partition from exactly <paramref name="offset"/> on, on a consumer of its own (not the readers'
    /// pool), reading committed records only. Nothing connects until the first read.
    /// </summary>
    IArchiveReader OpenArchiveReader(string topic, int partition, long offset);

    /// <summary>
    /// A partition's earliest retained offset and its end (the offset the next record gets), as Kafka has them: not
    /// as the read path, which reaches older records in the cold store, answers them.
    /// </summary>
    /// <exception cref="StorageUnavailableException">Kafka cannot be reached within the deadline</exception>
    Task<(long Earliest, long End)> RetainedRangeAsync(string topic, int partition, CancellationToken cancellationToken);
}
