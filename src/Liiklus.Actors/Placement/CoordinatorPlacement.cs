using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Liiklus.Actors.Groups;

namespace Liiklus.Actors.Placement;

/// <summary>
/// Where the group coordinators run: the cluster's members as this node sees them, each asked through its shard region
/// of coordinators which entities it holds now (Akka's own GetShardRegionState, which crosses nodes).
/// </summary>
public sealed class CoordinatorPlacement(ActorSystem system)
{
    /// <summary>The coordinators' shard region, as registered by <see cref="Hosting.LiiklusAkkaExtensions.WithLiiklusCore"/>.</summary>
    public const string RegionName = "group-coordinator";

    /// <param name="answerWithin">how long each node has to say which coordinators it runs</param>
    public async Task<IReadOnlyList<ClusterNodeView>> DescribeAsync(TimeSpan answerWithin, CancellationToken cancellationToken)
    {
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(member => member.Address).ToHashSet();
        var members = state.Members.OrderBy(member => member.Address.ToString(), StringComparer.Ordinal).ToList();
        var groups = await Task.WhenAll(members.Select(member =>
            member.Status is MemberStatus.Up or MemberStatus.Leaving && !unreachable.Contains(member.Address)
                ? GroupsOnAsync(member.Address, answerWithin, cancellationToken)
                : Task.FromResult<IReadOnlyList<PlacedGroup>?>(null)));
        return [.. members.Select((member, i) => new ClusterNodeView(
            member.Address.ToString(),
            member.Status.ToString(),
            [.. member.Roles.Order(StringComparer.Ordinal)],
            member.Address == cluster.SelfAddress,
            member.Address == state.Leader,
            !unreachable.Contains(member.Address),
            groups[i]))];
    }

    private async Task<IReadOnlyList<PlacedGroup>?> GroupsOnAsync(Address node, TimeSpan answerWithin, CancellationToken cancellationToken)
    {
        try
        {
            var region = system.ActorSelection(new RootActorPath(node) / "system" / "sharding" / RegionName);
            var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, answerWithin, cancellationToken);
            return [.. state.Shards
                .SelectMany(shard => shard.EntityIds)
                .Select(GroupCommandExtractor.GroupOf)
                .OfType<PlacedGroup>()
                .OrderBy(group => group.Topic, StringComparer.Ordinal)
                .ThenBy(group => group.GroupName, StringComparer.Ordinal)];
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }
}
