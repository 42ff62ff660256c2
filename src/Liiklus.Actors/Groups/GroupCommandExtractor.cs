using Akka.Cluster.Sharding;

namespace Liiklus.Actors.Groups;

/// <summary>Routes every <see cref="IGroupCommand"/> of one (topic, group name) to the same entity.</summary>
public sealed class GroupCommandExtractor(int maxNumberOfShards) : HashCodeMessageExtractor(maxNumberOfShards)
{
    public override string? EntityId(object message) =>
        message is IGroupCommand command ? EntityIdOf(command.Topic, command.GroupName) : null;

    // Length-prefixed so that no (topic, name) pair can collide with another, whatever characters they hold.
    public static string EntityIdOf(string topic, string groupName) => $"{topic.Length}:{topic}:{groupName}";

    /// <summary>The (topic, group name) an entity id of <see cref="EntityIdOf"/> names; null for any other id.</summary>
    public static Placement.PlacedGroup? GroupOf(string entityId)
    {
        var colon = entityId.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !int.TryParse(entityId.AsSpan(0, colon), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length))
        {
            return null;
        }

        var topicStart = colon + 1;
        if (topicStart + length >= entityId.Length || entityId[topicStart + length] != ':')
        {
            return null;
        }

        return new Placement.PlacedGroup(entityId.Substring(topicStart, length), entityId[(topicStart + length + 1)..]);
    }
}
