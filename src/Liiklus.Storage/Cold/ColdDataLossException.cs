namespace Liiklus.Storage.Cold;

/// <summary>
/// Records a reader asked for are in neither the cold store nor Kafka: retention deleted offsets
/// [<see cref="FromOffset"/>, <see cref="ToOffset"/>) before they were archived. Told to the client as DATA_LOSS
/// rather than skipped.
/// </summary>
public sealed class ColdDataLossException(string topic, int partition, long fromOffset, long toOffset)
    : Exception($"offsets {fromOffset} to {toOffset - 1} of {topic}/{partition} are in neither the cold store nor Kafka: retention deleted them before they were archived")
{
    public string Topic { get; } = topic;

    public int Partition { get; } = partition;

    public long FromOffset { get; } = fromOffset;

    /// <summary>One past the last missing offset.</summary>
    public long ToOffset { get; } = toOffset;
}
