using System.Threading.Channels;
using Akka.Actor;
using Akka.Hosting;
using Liiklus.Actors.Sessions;
using Liiklus.Storage.Positions;

namespace Liiklus.Actors.Subscriptions;

/// <summary>The core's entry point for Subscribe calls.</summary>
public sealed class SubscriptionStarter(IRequiredActor<SubscriptionSupervisor> supervisor, SubscriptionSettings settings)
{
    private long _lastId;

    /// <summary>Joins the group as a new session and streams its assignments into what it returns.</summary>
    /// <param name="clientAddress">the caller's address as this node sees it, which the group's coordinator keeps for the admin API</param>
    public Subscription Start(string topic, GroupId group, OffsetReset autoOffsetReset, string? clientAddress = null)
    {
        var session = SessionToken.New(topic, group, autoOffsetReset);
        var sessionId = session.Encode();
        var name = $"subscription-{Interlocked.Increment(ref _lastId)}";
        var assignments = Channel.CreateBounded<AssignedPartition>(new BoundedChannelOptions(settings.BufferSize) { SingleReader = true });
        var parent = supervisor.ActorRef;
        parent.Tell(new SubscriptionSupervisor.StartSubscription(name, session, sessionId, assignments.Writer, clientAddress));
        return new Subscription(sessionId, assignments.Reader, () => parent.Tell(new SubscriptionSupervisor.EndSubscriptionNamed(name)));
    }
}
