using System.Collections.Concurrent;
using Akka.Actor;

namespace Liiklus.Actors.Groups;

/// <summary>
/// The group coordinators coordinating on this node, by (topic, group name): <see cref="GroupPositions"/> tells one of
/// them a command directly rather than through the shard region and its shard, two mailboxes fewer on every ack. A
/// coordinator is here from when it is ready until it passivates or stops; a command that reaches one that stopped in
/// between becomes a dead letter, which <see cref="GroupCommandRerouter"/> sends again through the region.
/// </summary>
public sealed class LocalCoordinators
{
    private readonly ConcurrentDictionary<(string Topic, string GroupName), IActorRef> _coordinating = new();

    public bool TryGet(string topic, string groupName, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out IActorRef coordinator) =>
        _coordinating.TryGetValue((topic, groupName), out coordinator);

    internal void Coordinating(string topic, string groupName, IActorRef coordinator) => _coordinating[(topic, groupName)] = coordinator;

    /// <summary>Only the coordinator that registered leaves: a next incarnation may have registered since.</summary>
    internal void Leaving(string topic, string groupName, IActorRef coordinator) =>
        _coordinating.TryRemove(new KeyValuePair<(string, string), IActorRef>((topic, groupName), coordinator));
}
