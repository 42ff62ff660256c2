namespace Liiklus.Client;

/// <summary>A received record.</summary>
public sealed record LiiklusRecord
{
    /// <summary>The topic it was read from.</summary>
    public required string Topic { get; init; }

    /// <summary>The partition it was read from.</summary>
    public required int Partition { get; init; }

    /// <summary>Its offset in the partition.</summary>
    public required ulong Offset { get; init; }

    /// <summary>The record's key; empty when it had none.</summary>
    public ReadOnlyMemory<byte> Key { get; init; }

    /// <summary>The record's value: the event's data when <see cref="Event"/> is set.</summary>
    public ReadOnlyMemory<byte> Value { get; init; }

    /// <summary>The CloudEvent it was published as; null for a record published without one.</summary>
    public CloudEvent? Event { get; init; }

    /// <summary>When the record was stored.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>
    /// True when some version of the group has already acknowledged this offset: a re-processing run can skip
    /// side effects.
    /// </summary>
    public bool IsReplay { get; init; }
}
