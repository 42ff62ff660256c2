namespace Liiklus.Client;

/// <summary>What one partition of a topic holds.</summary>
/// <param name="Partition">the partition</param>
/// <param name="EarliestOffset">the oldest record retention kept (equal to <paramref name="EndOffset"/> when the partition keeps none)</param>
/// <param name="EndOffset">the offset the next record published to the partition gets</param>
public sealed record TopicPartitionOffsets(int Partition, ulong EarliestOffset, ulong EndOffset);
