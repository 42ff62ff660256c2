namespace Liiklus.Storage.Cold.Telemetry;

/// <summary>
/// What one partition's archiver last saw: the next offset not yet archived, Kafka's earliest retained offset and its
/// end (the offset the next record gets), and the gaps it recorded. -1 where not known yet.
/// </summary>
public sealed record ColdPartitionProgress(
    string Topic,
    int Partition,
    long ArchivedNext,
    long KafkaEarliest,
    long KafkaEnd,
    long Gaps,
    DateTimeOffset UpdatedAt)
{
    /// <summary>Offsets Kafka holds that are not archived yet.</summary>
    public long Lag => KafkaEnd < 0 || ArchivedNext < 0 ? -1 : Math.Max(0, KafkaEnd - ArchivedNext);

    /// <summary>
    /// Offsets archived and still in Kafka: how far retention may advance before it overtakes the archiver. Negative
    /// once it has (those offsets become a gap).
    /// </summary>
    public long Headroom => KafkaEarliest < 0 || ArchivedNext < 0 ? -1 : ArchivedNext - KafkaEarliest;
}
