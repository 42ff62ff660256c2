using Akka.Cluster.Sharding;

namespace Liiklus.Actors.Cold;

/// <summary>Routes every <see cref="ArchivePartition"/> of one (topic, partition) to the same entity.</summary>
public sealed class ArchivePartitionExtractor(int maxNumberOfShards) : HashCodeMessageExtractor(maxNumberOfShards)
{
    public override string? EntityId(object message) =>
        message is ArchivePartition archive ? EntityIdOf(archive.Topic, archive.Partition) : null;

    public static string EntityIdOf(string topic, int partition) => $"{topic.Length}:{topic}:{partition}";

    /// <exception cref="FormatException">not an id <see cref="EntityIdOf"/> made</exception>
    public static (string Topic, int Partition) Parse(string entityId)
    {
        var colon = entityId.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0
            && int.TryParse(entityId.AsSpan(0, colon), System.Globalization.CultureInfo.InvariantCulture, out var length)
            && colon + 1 + length < entityId.Length
            && entityId[colon + 1 + length] == ':'
            && int.TryParse(entityId.AsSpan(colon + 2 + length), System.Globalization.CultureInfo.InvariantCulture, out var partition))
        {
            return (entityId.Substring(colon + 1, length), partition);
        }

        throw new FormatException($"'{entityId}' is not an archiver's entity id");
    }
}
