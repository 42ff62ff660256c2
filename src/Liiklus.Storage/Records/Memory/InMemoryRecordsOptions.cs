namespace Liiklus.Storage.Records.Memory;

/// <param name="PartitionsPerTopic">partitions a topic gets when it is created by its first use</param>
/// <param name="RetentionPerPartition">records kept per partition; the oldest are dropped beyond it</param>
public sealed record InMemoryRecordsOptions(int PartitionsPerTopic = 32, int RetentionPerPartition = 100_000);
