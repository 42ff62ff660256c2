using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Liiklus.Storage.Positions.Kafka;

/// <summary>Confluent.Kafka's admin client, as it is, but safe to dispose more than once.</summary>
internal sealed class ConfluentConsumerGroupAdmin(IAdminClient admin) : IConsumerGroupAdmin
{
    private int _disposed;

    public Task<List<AlterConsumerGroupOffsetsResult>> AlterConsumerGroupOffsetsAsync(
        IEnumerable<ConsumerGroupTopicPartitionOffsets> groupPartitions,
        AlterConsumerGroupOffsetsOptions options) =>
        admin.AlterConsumerGroupOffsetsAsync(groupPartitions, options);

    public Task<List<ListConsumerGroupOffsetsResult>> ListConsumerGroupOffsetsAsync(
        IEnumerable<ConsumerGroupTopicPartitions> groupPartitions,
        ListConsumerGroupOffsetsOptions options) =>
        admin.ListConsumerGroupOffsetsAsync(groupPartitions, options);

    public Task<DeleteConsumerGroupOffsetsResult> DeleteConsumerGroupOffsetsAsync(
        string group,
        IEnumerable<TopicPartition> partitions,
        DeleteConsumerGroupOffsetsOptions options) =>
        admin.DeleteConsumerGroupOffsetsAsync(group, partitions, options);

    public Task<ListConsumerGroupsResult> ListConsumerGroupsAsync(ListConsumerGroupsOptions options) =>
        admin.ListConsumerGroupsAsync(options);

    public Task<DescribeTopicsResult> DescribeTopicAsync(string topic, DescribeTopicsOptions options) =>
        admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic]), options);

    /// <remarks>
    /// A replaced client is disposed on a thread of its own while the storage may be disposing it too; Confluent's
    /// second Dispose throws, and an exception on that thread would end the process.
    /// </remarks>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            admin.Dispose();
        }
    }
}
