namespace Liiklus.Client;

/// <summary>A topic's partitions, as the admin API's DescribeTopic answers them.</summary>
/// <param name="Topic">the topic</param>
/// <param name="Partitions">ordered by partition</param>
public sealed record TopicDescription(string Topic, IReadOnlyList<TopicPartitionOffsets> Partitions);
