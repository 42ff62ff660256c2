using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Liiklus.Storage.Positions.Kafka;

/// <summary>Confluent.Kafka's admin client, as it is.</summary>
internal sealed class ConfluentConsumerGroupAdmin(IAdminClient admin) : IConsumerGroupAdmin
{
    public Task<List<AlterConsumerGroupOffsetsResult>> AlterConsumerGroupOffsetsAsync(
        IEnumerable<ConsumerGroupTopicPartitionOffsets> groupPartitions,
        AlterConsumerGroupOffsetsOptions options) =>
        admin.AlterConsumerGroupOffsetsAsync(groupPartitions, options);

    public Task<List<ListConsumerGroupOffsetsResult>> ListConsumerGroupOffsetsAsync(
        IEnumerable<ConsumerGroupTopicPartitions> groupPartitions,
        ListConsumerGroupOffsetsOptions options) =>
        admin.ListConsumerGroupOffsetsAsync(groupPartitions, options);

    public Task<ListConsumerGroupsResult> ListConsumerGroupsAsync(ListConsumerGroupsOptions options) =>
        admin.ListConsumerGroupsAsync(options);

    public Task<DescribeTopicsResult> DescribeTopicAsync(string topic, DescribeTopicsOptions options) =>
        admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic]), options);

    public void Dispose() => admin.Dispose();
}
