using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Liiklus.Storage.Positions.Kafka;

/// <summary>
/// The part of Confluent.Kafka's admin client the positions storage uses, with its signatures and exceptions, so a
/// spec can stand in for brokers where librdkafka's mock cluster cannot (it has no ListGroups).
/// </summary>
internal interface IConsumerGroupAdmin : IDisposable
{
    Task<List<AlterConsumerGroupOffsetsResult>> AlterConsumerGroupOffsetsAsync(
        IEnumerable<ConsumerGroupTopicPartitionOffsets> groupPartitions,
        AlterConsumerGroupOffsetsOptions options);

    Task<List<ListConsumerGroupOffsetsResult>> ListConsumerGroupOffsetsAsync(
        IEnumerable<ConsumerGroupTopicPartitions> groupPartitions,
        ListConsumerGroupOffsetsOptions options);

    Task<DeleteConsumerGroupOffsetsResult> DeleteConsumerGroupOffsetsAsync(
        string group,
        IEnumerable<TopicPartition> partitions,
        DeleteConsumerGroupOffsetsOptions options);

    Task<ListConsumerGroupsResult> ListConsumerGroupsAsync(ListConsumerGroupsOptions options);

    /// <summary>DescribeTopics of one topic.</summary>
    Task<DescribeTopicsResult> DescribeTopicAsync(string topic, DescribeTopicsOptions options);
}
