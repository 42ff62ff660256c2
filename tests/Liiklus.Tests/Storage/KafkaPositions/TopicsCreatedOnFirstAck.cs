using System.Collections.Concurrent;
using Liiklus.Storage.Positions;
using Liiklus.Tests.Support;

namespace Liiklus.Tests.Storage.KafkaPositions;

/// <summary>
/// Kafka keeps offsets of partitions that exist only, while the positions contract acks fresh topic names: this
/// creates each topic in the mock cluster (32 partitions, the most the contract uses) before its first ack, as the
/// gateway's records storage has created a topic before any client acks it. Everything else goes straight through.
/// </summary>
public sealed class TopicsCreatedOnFirstAck(IPositionsStorage storage, MockKafkaCluster cluster) : IPositionsStorage
{
    private readonly ConcurrentDictionary<string, Lazy<bool>> _created = new();

    public Task UpdateAsync(string topic, GroupId group, int partition, long offset, CancellationToken cancellationToken)
    {
        _ = _created.GetOrAdd(topic, name => new Lazy<bool>(() =>
        {
            cluster.CreateTopic(name, 32);
            return true;
        })).Value;
        return storage.UpdateAsync(topic, group, partition, offset, cancellationToken);
    }

    public Task DeleteAsync(string topic, GroupId group, CancellationToken cancellationToken) =>
        storage.DeleteAsync(topic, group, cancellationToken);

    public Task<IReadOnlyDictionary<int, long>> GetAsync(string topic, GroupId group, CancellationToken cancellationToken) =>
        storage.GetAsync(topic, group, cancellationToken);

    public Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetAllVersionsAsync(
        string topic,
        string groupName,
        CancellationToken cancellationToken) =>
        storage.GetAllVersionsAsync(topic, groupName, cancellationToken);

    public Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetVersionsForAsync(
        string topic,
        GroupId reader,
        CancellationToken cancellationToken) =>
        storage.GetVersionsForAsync(topic, reader, cancellationToken);

    public Task<IReadOnlyList<StoredGroup>> ListGroupsAsync(string? topic, CancellationToken cancellationToken) =>
        storage.ListGroupsAsync(topic, cancellationToken);
}
