namespace Liiklus.Client;

/// <summary>A record read by <see cref="LiiklusAdminClient.BrowseAsync"/>, as stored.</summary>
public sealed record BrowsedRecord
{
    /// <summary>The topic it was read from.</summary>
    public required string Topic { get; init; }

    /// <summary>Its partition.</summary>
    public required int Partition { get; init; }

    /// <summary>Its offset in the partition.</summary>
    public required ulong Offset { get; init; }

    /// <summary>When it was stored.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Its key; null for a record without one (an empty key is empty, not null).</summary>
    public ReadOnlyMemory<byte>? Key { get; init; }

    /// <summary>Its value.</summary>
    public ReadOnlyMemory<byte> Value { get; init; }

    /// <summary>Its headers in the order stored, repeated names kept.</summary>
    public IReadOnlyList<RecordHeader> Headers { get; init; } = [];
}
