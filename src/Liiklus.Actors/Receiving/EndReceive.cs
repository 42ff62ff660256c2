using Akka.Actor;

namespace Liiklus.Actors.Receiving;

/// <summary>The Receive call ended on the client's side or the gateway is stopping.</summary>
internal sealed record EndReceive : INoSerializationVerificationNeeded
{
    public static readonly EndReceive Instance = new();

    private EndReceive()
    {
    }
}
