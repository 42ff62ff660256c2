namespace Liiklus.Storage.Records;

/// <summary>
/// A strict partition source's next offset is older than what the records storage still retains: retention deleted
/// it before (or while) it was read. A reader that can fetch the missing records elsewhere continues there at
/// <see cref="NextOffset"/>.
/// </summary>
public sealed class OffsetBelowRetentionException(string topic, int partition, long nextOffset)
    : Exception($"offset {nextOffset} of {topic}/{partition} is no longer retained")
{
    public string Topic { get; } = topic;

    public int Partition { get; } = partition;

    public long NextOffset { get; } = nextOffset;
}
