using System.Threading.Channels;
using Akka.Actor;
using Liiklus.Actors.Sessions;

namespace Liiklus.Actors.Subscriptions;

/// <summary>Parent of the node's <see cref="SubscriptionActor"/>s; a failed subscription is stopped, never restarted.</summary>
public sealed class SubscriptionSupervisor : ReceiveActor
{
    public SubscriptionSupervisor(IActorRef groups, TimeSpan joinTimeout)
    {
        Receive<StartSubscription>(start => Context.ActorOf(
            SubscriptionActor.Props(start.Session, start.SessionId, groups, start.Assignments, joinTimeout, start.ClientAddress),
            start.Name));
        Receive<EndSubscriptionNamed>(end => Context.Child(end.Name).Tell(EndSubscription.Instance));
    }

    public static Props Props(IActorRef groups, TimeSpan joinTimeout) =>
        Akka.Actor.Props.Create(() => new SubscriptionSupervisor(groups, joinTimeout));

    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    internal sealed record StartSubscription(string Name, SessionToken Session, string SessionId, ChannelWriter<AssignedPartition> Assignments, string? ClientAddress)
        : INoSerializationVerificationNeeded;

    internal sealed record EndSubscriptionNamed(string Name) : INoSerializationVerificationNeeded;
}
