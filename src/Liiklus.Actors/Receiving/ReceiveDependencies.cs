using Akka.Actor;
using Akka.Streams;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Records;

namespace Liiklus.Actors.Receiving;

/// <summary>What every Receive stream of a node shares.</summary>
internal sealed record ReceiveDependencies(
    IActorRef Groups,
    IRecordsStorage Records,
    IPositionsStorage Positions,
    IMaterializer Materializer,
    ReceiveSettings Settings);
