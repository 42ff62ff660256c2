using Akka.Actor;
using Akka.Cluster;

namespace Liiklus.Api.Hosting;

/// <summary>Hands every cluster member event's member to a callback (the cluster's events reach actors only).</summary>
public sealed class ClusterMemberWatcher : ReceiveActor
{
    public ClusterMemberWatcher(Action<Member> onMember) =>
        Receive<ClusterEvent.IMemberEvent>(memberEvent => onMember(memberEvent.Member));

    public static Props Props(Action<Member> onMember) => Akka.Actor.Props.Create(() => new ClusterMemberWatcher(onMember));

    protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);
}
