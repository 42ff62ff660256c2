using Akka.Actor;

namespace Liiklus.Actors.Subscriptions;

/// <summary>The Subscribe call ended (client gone or gateway stopping): leave the group.</summary>
internal sealed record EndSubscription : INoSerializationVerificationNeeded
{
    public static readonly EndSubscription Instance = new();

    private EndSubscription()
    {
    }
}
