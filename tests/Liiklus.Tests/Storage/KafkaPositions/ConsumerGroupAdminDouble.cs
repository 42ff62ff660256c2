using System.Collections.Concurrent;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Liiklus.Storage.Positions.Kafka;

namespace Liiklus.Tests.Storage.KafkaPositions;

/// <summary>
/// Brokers as the positions storage sees them through the admin client, kept in memory: consumer groups with
/// committed offsets, topics with partition counts, and a ListGroups answer that can be made to fail. Records
/// every call it serves.
/// </summary>
internal sealed class ConsumerGroupAdminDouble : IConsumerGroupAdmin
{
    private readonly ConcurrentDictionary<(string GroupId, string Topic, int Partition), long> _committed = new();
    private readonly ConcurrentDictionary<string, int> _topics = new();
    private readonly ConcurrentQueue<string> _calls = new();

    /// <summary>Errors ListGroups answers with instead of the groups, e.g. an unsupported API.</summary>
    public List<Error> ListingErrors { get; } = [];

    /// <summary>"ListGroups", "OffsetFetch {groupId}", "OffsetCommit {groupId}", "DescribeTopics {topic}".</summary>
    public IReadOnlyCollection<string> Calls => _calls;

    public void AddTopic(string topic, int partitions) => _topics[topic] = partitions;

    public void Commit(string groupId, string topic, int partition, long offset) => _committed[(groupId, topic, partition)] = offset;

    /// <summary>As <c>kafka-consumer-groups --delete</c>: the group and its offsets are gone.</summary>
    public void Delete(string groupId)
    {
        foreach (var key in _committed.Keys.Where(key => key.GroupId == groupId))
        {
            _committed.TryRemove(key, out _);
        }
    }

    public Task<List<AlterConsumerGroupOffsetsResult>> AlterConsumerGroupOffsetsAsync(
        IEnumerable<ConsumerGroupTopicPartitionOffsets> groupPartitions,
        AlterConsumerGroupOffsetsOptions options)
    {
        var results = new List<AlterConsumerGroupOffsetsResult>();
        foreach (var group in groupPartitions)
        {
            _calls.Enqueue($"OffsetCommit {group.Group}");
            foreach (var offset in group.TopicPartitionOffsets)
            {
                Commit(group.Group, offset.Topic, offset.Partition.Value, offset.Offset.Value);
            }

            results.Add(new AlterConsumerGroupOffsetsResult
            {
                Group = group.Group,
                Partitions = group.TopicPartitionOffsets.Select(o => new TopicPartitionOffsetError(o, new Error(ErrorCode.NoError))).ToList(),
            });
        }

        return Task.FromResult(results);
    }

    public Task<List<ListConsumerGroupOffsetsResult>> ListConsumerGroupOffsetsAsync(
        IEnumerable<ConsumerGroupTopicPartitions> groupPartitions,
        ListConsumerGroupOffsetsOptions options)
    {
        var group = groupPartitions.Single();
        _calls.Enqueue($"OffsetFetch {group.Group}");
        // No partitions named: every partition the group committed, as brokers answer.
        var partitions = group.TopicPartitions
            ?? [.. _committed.Keys.Where(key => key.GroupId == group.Group).Select(key => new TopicPartition(key.Topic, key.Partition))];
        return Task.FromResult(new List<ListConsumerGroupOffsetsResult>
        {
            new()
            {
                Group = group.Group,
                Partitions = partitions.Select(p => new TopicPartitionOffsetError(
                    p,
                    _committed.TryGetValue((group.Group, p.Topic, p.Partition.Value), out var offset) ? new Offset(offset) : Offset.Unset,
                    new Error(ErrorCode.NoError))).ToList(),
            },
        });
    }

    public Task<DeleteConsumerGroupOffsetsResult> DeleteConsumerGroupOffsetsAsync(
        string group,
        IEnumerable<TopicPartition> partitions,
        DeleteConsumerGroupOffsetsOptions options)
    {
        _calls.Enqueue($"OffsetDelete {group}");
        var deleted = partitions.ToList();
        foreach (var partition in deleted)
        {
            _committed.TryRemove((group, partition.Topic, partition.Partition.Value), out _);
        }

        return Task.FromResult(new DeleteConsumerGroupOffsetsResult
        {
            Group = group,
            Partitions = deleted,
        });
    }

    public Task<ListConsumerGroupsResult> ListConsumerGroupsAsync(ListConsumerGroupsOptions options)
    {
        _calls.Enqueue("ListGroups");
        var groups = _committed.Keys.Select(key => key.GroupId).Distinct()
            .Select(groupId => new ConsumerGroupListing { GroupId = groupId, IsSimpleConsumerGroup = true, State = ConsumerGroupState.Empty })
            .ToList();
        return ListingErrors.Count == 0
            ? Task.FromResult(new ListConsumerGroupsResult { Valid = groups })
            : Task.FromException<ListConsumerGroupsResult>(new ListConsumerGroupsException(new ListConsumerGroupsReport { Valid = groups, Errors = ListingErrors }));
    }

    public Task<DescribeTopicsResult> DescribeTopicAsync(string name, DescribeTopicsOptions options)
    {
        _calls.Enqueue($"DescribeTopics {name}");
        var description = _topics.TryGetValue(name, out var partitions)
            ? new TopicDescription
            {
                Name = name,
                Error = new Error(ErrorCode.NoError),
                Partitions = Enumerable.Range(0, partitions).Select(p => new TopicPartitionInfo { Partition = p }).ToList(),
            }
            : new TopicDescription { Name = name, Error = new Error(ErrorCode.UnknownTopicOrPart), Partitions = [] };
        return description.Error.IsError
            ? Task.FromException<DescribeTopicsResult>(new DescribeTopicsException(new DescribeTopicsReport { TopicDescriptions = [description] }))
            : Task.FromResult(new DescribeTopicsResult { TopicDescriptions = [description] });
    }

    public void Dispose()
    {
    }
}
