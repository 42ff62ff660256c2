using System.Threading.Channels;
using Akka.Actor;
using Akka.Streams;
using Liiklus.Actors.Sessions;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Records;

namespace Liiklus.Actors.Receiving;

/// <summary>
/// Parent of the node's <see cref="PartitionStreamActor"/>s. A stream that fails is stopped, never restarted: a
/// restart would claim its partition again after its call had already ended.
/// </summary>
public sealed class ReceiveStreamSupervisor : ReceiveActor
{
    private readonly ReceiveDependencies _dependencies;

    public ReceiveStreamSupervisor(
        IActorRef groups,
        IRecordsStorage records,
        IPositionsStorage positions,
        IMaterializer materializer,
        ReceiveSettings settings)
    {
        _dependencies = new ReceiveDependencies(groups, records, positions, materializer, settings);
        Receive<StartStream>(start => Context.ActorOf(
            PartitionStreamActor.Props(start.Session, start.SessionId, start.Partition, _dependencies, start.Batches, start.Allowance, start.Watermark),
            start.Name));
        Receive<EndStream>(end => Context.Child(end.Name).Tell(EndReceive.Instance));
    }

    public static Props Props(
        IActorRef groups,
        IRecordsStorage records,
        IPositionsStorage positions,
        IMaterializer materializer,
        ReceiveSettings settings) =>
        Akka.Actor.Props.Create(() => new ReceiveStreamSupervisor(groups, records, positions, materializer, settings));

    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    internal sealed record StartStream(
        string Name,
        SessionToken Session,
        string SessionId,
        int Partition,
        ChannelWriter<ReceivedBatch> Batches,
        StreamByteAllowance Allowance,
        DeliveryWatermark Watermark) : INoSerializationVerificationNeeded;

    internal sealed record EndStream(string Name) : INoSerializationVerificationNeeded;
}
