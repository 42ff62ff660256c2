using System.Threading.Channels;
using Akka.Actor;
using Akka.Hosting;
using Liiklus.Actors.Sessions;
using Liiklus.Storage.Records;

namespace Liiklus.Actors.Receiving;

/// <summary>The core's entry point for Receive calls.</summary>
public sealed class ReceiveStreamStarter(IRequiredActor<ReceiveStreamSupervisor> supervisor, ByteBudget budget, ReceiveSettings settings)
{
    private long _lastId;

    /// <summary>Starts streaming <paramref name="partition"/> of <paramref name="session"/> into what it returns.</summary>
    /// <exception cref="ReceiveMemoryExhaustedException">the node's budget has no room for one more stream's buffer</exception>
    public ReceiveStream Start(SessionToken session, string sessionId, int partition)
    {
        if (!budget.HasRoomFor(settings.StreamBufferBytes))
        {
            throw new ReceiveMemoryExhaustedException(
                $"this node's receive memory budget of {budget.Capacity} bytes is spent ({budget.Used} bytes held by streams " +
                "whose clients have not read them yet); retry later or on another node");
        }

        var name = $"stream-{Interlocked.Increment(ref _lastId)}";
        var batches = Channel.CreateBounded<ReceivedBatch>(new BoundedChannelOptions(2) { SingleReader = true });
        var allowance = new StreamByteAllowance(settings.StreamBufferBytes, budget);
        var watermark = new DeliveryWatermark();
        var parent = supervisor.ActorRef;
        parent.Tell(new ReceiveStreamSupervisor.StartStream(name, session, sessionId, partition, batches.Writer, allowance, watermark));
        return new ReceiveStream(batches.Reader, allowance, watermark, () => parent.Tell(new ReceiveStreamSupervisor.EndStream(name)));
    }
}
