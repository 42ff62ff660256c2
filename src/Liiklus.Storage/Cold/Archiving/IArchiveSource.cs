namespace Liiklus.Storage.Cold.Archiving;

/// <summary>Where an archiver reads a partition from: a records storage that can hand out every field Kafka keeps.</summary>
public interface IArchiveSource
{
    /// <summary>
    /// A reader of one partition from exactly <paramref name="offset"/> on, on a consumer of its own (not the readers'
    /// pool), reading committed records only. Nothing connects until the first read.
    /// </summary>
    IArchiveReader OpenArchiveReader(string topic, int partition, long offset);
}
