using Akka.Actor;
using Akka.Event;

namespace Liiklus.Actors.Groups;

/// <summary>
/// Sends a group command that reached a stopped coordinator (told directly through <see cref="LocalCoordinators"/> just
/// as it passivated or handed off) again through the shard region, which delivers it to the group's next coordinator
/// with its original sender, so the asker gets its answer rather than a timeout.
/// </summary>
public sealed class GroupCommandRerouter : ReceiveActor
{
    public GroupCommandRerouter(IActorRef region)
    {
        Receive<DeadLetter>(dead =>
        {
            // A coordinator's path is region / shard / entity; commands that died anywhere else are not this one's.
            if (dead.Message is IGroupCommand command && dead.Recipient.Path.Parent.Parent.Equals(region.Path))
            {
                region.Tell(command, dead.Sender);
            }
        });
    }

    public static Props Props(IActorRef region) => Akka.Actor.Props.Create(() => new GroupCommandRerouter(region));

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
