using Akka.Cluster.Sharding;

namespace Liiklus.Actors.Cold;

/// <summary>Routes every <see cref="ArchivePartition"/> of one (topic, partition) to the same entity.</summary>
public sealed class ArchivePartitionExtractor(int maxNumberOfShards) : HashCodeMessageExtractor(maxNumberOfShards)
{
    public override string? EntityId(object message) =>
        message is ArchivePartition archive ? EntityIdOf(archive.Topic, archive.Partition) : null;

    public static string EntityIdOf(string topic, int partition) => $"{topic.Length}:{topic}:{partition}";
}
