namespace Liiklus.Storage.Records;

/// <summary>A header as Kafka stores it: a name and raw bytes.</summary>
public sealed record RecordHeader(string Name, byte[] Value);

/// <summary>What a publisher hands to the storage. A null key spreads records over partitions.</summary>
public sealed record OutgoingRecord(byte[]? Key, byte[] Value, IReadOnlyList<RecordHeader> Headers, DateTimeOffset Timestamp)
{
    /// <summary>Key, value and header bytes together: what a storage's size limit is measured against.</summary>
    public int SizeInBytes => (Key?.Length ?? 0) + Value.Length + Headers.Sum(h => h.Name.Length + h.Value.Length);
}

/// <summary>A record as read back from one partition.</summary>
public sealed record StoredRecord(
    int Partition,
    long Offset,
    byte[]? Key,
    byte[] Value,
    IReadOnlyList<RecordHeader> Headers,
    DateTimeOffset Timestamp);

public sealed record PublishResult(int Partition, long Offset);

/// <summary>Where a partition source starts.</summary>
public abstract record StartPosition
{
    /// <summary>The oldest record still retained.</summary>
    public static readonly StartPosition Earliest = new EarliestPosition();

    /// <summary>Only records written after the source starts.</summary>
    public static readonly StartPosition Latest = new LatestPosition();

    /// <summary>A given offset; one older than retention starts at the oldest retained record.</summary>
    public static StartPosition At(long offset) => new OffsetPosition(offset);

    public sealed record EarliestPosition : StartPosition;

    public sealed record LatestPosition : StartPosition;

    public sealed record OffsetPosition(long Offset) : StartPosition;
}
