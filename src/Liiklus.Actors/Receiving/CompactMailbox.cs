using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace Liiklus.Actors.Receiving;

/// <summary>
/// INTERNAL API. The mailbox of receive streams (<see cref="CompactMessageQueue"/>): an idle stream's empty mailbox holds
/// a few bytes instead of Akka's default queue segment. Registered in hocon/akka.conf, where actors that require a
/// <see cref="CompactMessageQueue"/> are given it.
/// </summary>
internal sealed class CompactMailbox(Settings settings, Config config) : MailboxType(settings, config), IProducesMessageQueue<CompactMessageQueue>
{
    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new CompactMessageQueue();
}
