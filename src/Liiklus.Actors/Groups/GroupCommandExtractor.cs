using Akka.Cluster.Sharding;

namespace Liiklus.Actors.Groups;

/// <summary>Routes every <see cref="IGroupCommand"/> of one (topic, group name) to the same entity.</summary>
public sealed class GroupCommandExtractor(int maxNumberOfShards) : HashCodeMessageExtractor(maxNumberOfShards)
{
    public override string? EntityId(object message) =>
        message is IGroupCommand command ? EntityIdOf(command.Topic, command.GroupName) : null;

    // Length-prefixed so that no (topic, name) pair can collide with another, whatever characters they hold.
    public static string EntityIdOf(string topic, string groupName) => $"{topic.Length}:{topic}:{groupName}";
}
