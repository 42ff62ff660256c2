using Akka;
using Akka.Streams.Dsl;

namespace Liiklus.Storage.Records;

/// <summary>
/// A records storage whose retention deletes old records, and which can say so to a reader instead of moving it to
/// the oldest retained record (the policy of <see cref="IRecordsStorage.PartitionSource"/>).
/// </summary>
public interface IRetentionAwareRecordsStorage
{
    /// <summary>
    /// As <see cref="IRecordsStorage.PartitionSource"/> from exactly <paramref name="offset"/>, but a next offset that
    /// retention deleted (at the start, or later while the stream was paused) fails the stream with
    /// <see cref="OffsetBelowRetentionException"/> naming it, rather than skipping ahead.
    /// </summary>
    Source<IReadOnlyList<StoredRecord>, NotUsed> RetainedPartitionSource(string topic, int partition, long offset);
}
