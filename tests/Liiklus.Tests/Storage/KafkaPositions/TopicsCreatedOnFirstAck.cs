using System.Collections.Concurrent;
using Liiklus.Storage.Positions;
using Liiklus.Tests.Support;

namespace Liiklus.Tests.Storage.KafkaPositions;

/// <summary>
/// Kafka keeps offsets of partitions that exist only, while the positions contract acks fresh topic names: this
/// creates each topic in the mock cluster (32 partitions, the most the contract uses) before its first ack, as the
/// gateway's records storage has created a topic before any client acks it. Everything else goes straight through.
/// </summary>
public sealed class TopicsCreatedOnFirstAck(IPositionsStorage storage, MockKafkaCluster cluster) : ForwardingPositionsStorage(storage)
{
    private readonly ConcurrentDictionary<string, Lazy<bool>> _created = new();

    public override Task UpdateAsync(string topic, GroupId group, int partition, long offset, CancellationToken cancellationToken)
    {
        _ = _created.GetOrAdd(topic, name => new Lazy<bool>(() =>
        {
            cluster.CreateTopic(name, 32);
            return true;
        })).Value;
        return Inner.UpdateAsync(topic, group, partition, offset, cancellationToken);
    }
}
