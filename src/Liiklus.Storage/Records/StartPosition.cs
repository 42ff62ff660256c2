namespace Liiklus.Storage.Records;

/// <summary>Where a partition source starts.</summary>
public abstract record StartPosition
{
    /// <summary>The oldest record still retained.</summary>
    public static readonly StartPosition Earliest = new EarliestPosition();

    /// <summary>Only records written after the source starts.</summary>
    public static readonly StartPosition Latest = new LatestPosition();

    /// <summary>
    /// A given offset. One older than retention starts at the oldest retained record; so does one past the end of the
    /// partition, which means the partition was recreated or truncated since the offset was stored: its records may
    /// be read again, none is skipped.
    /// </summary>
    public static StartPosition At(long offset) => new OffsetPosition(offset);

    public sealed record EarliestPosition : StartPosition;

    public sealed record LatestPosition : StartPosition;

    public sealed record OffsetPosition(long Offset) : StartPosition;
}
