using System.Threading.Channels;
using Akka.Actor;
using Akka.Hosting;
using Akka.Streams;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Liiklus.Actors.Groups;
using Liiklus.Actors.Receiving;
using Liiklus.Actors.Sessions;
using Liiklus.Actors.Subscriptions;
using Liiklus.Api.Configuration;
using Liiklus.Protocol;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Records;

namespace Liiklus.Api.Grpc;

/// <summary>
/// The Liiklus protocol: validates, maps to the core's terms, and relays. Streaming calls are served by a
/// per-call actor that writes into a bounded channel this adapter drains into the response stream.
/// </summary>
public sealed class LiiklusGrpcService(
    ActorSystem system,
    IRequiredActor<GroupCoordinatorRegion> groups,
    IRecordsStorage records,
    IPositionsStorage positions,
    IMaterializer materializer,
    GatewaySettings settings,
    TimeProvider clock,
    IHostApplicationLifetime lifetime) : LiiklusService.LiiklusServiceBase
{
    public override async Task<PublishReply> Publish(PublishRequest request, ServerCallContext context)
    {
        var (topic, record) = RequestValidation.Publish(request, settings.MaxRecordSizeBytes, clock.GetUtcNow());
        var published = await records.PublishAsync(topic, record, context.CancellationToken);
        return new PublishReply { Topic = topic, Partition = (uint)published.Partition, Offset = (ulong)published.Offset };
    }

    public override async Task Subscribe(SubscribeRequest request, IServerStreamWriter<SubscribeReply> responseStream, ServerCallContext context)
    {
        var (topic, group, reset) = RequestValidation.Subscribe(request);
        var session = SessionToken.New(topic, group, reset);
        var sessionId = session.Encode();
        var assignments = Channel.CreateBounded<int>(new BoundedChannelOptions(settings.SubscribeBufferSize) { SingleReader = true });
        var subscription = system.ActorOf(SubscriptionActor.Props(session, await groups.GetAsync(context.CancellationToken), assignments.Writer));
        await RelayUntilEndedAsync(
            assignments.Reader,
            responseStream,
            partition => [new SubscribeReply { Assignment = new Assignment { SessionId = sessionId, Partition = (uint)partition } }],
            () => subscription.Tell(EndSubscription.Instance),
            context);
    }

    public override async Task Receive(ReceiveRequest request, IServerStreamWriter<ReceiveReply> responseStream, ServerCallContext context)
    {
        var (session, sessionId, partition, format) = RequestValidation.Receive(request);
        var dependencies = new ReceiveDependencies(
            await groups.GetAsync(context.CancellationToken),
            records,
            positions,
            materializer,
            settings.Receive);
        var replies = Channel.CreateBounded<IReadOnlyList<ReceiveReply>>(
            new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        var stream = system.ActorOf(PartitionStreamActor<ReceiveReply>.Props(
            session, sessionId, partition, dependencies, replies.Writer, record => ReplyMapping.ToReply(record, format)));
        await RelayUntilEndedAsync(
            replies.Reader,
            responseStream,
            batch => batch,
            () => stream.Tell(EndReceive.Instance),
            context);
    }

    public override async Task<Empty> Ack(AckRequest request, ServerCallContext context)
    {
        var (topic, group, partition, offset) = RequestValidation.Ack(request);
        await positions.UpdateAsync(topic, group, partition, offset, context.CancellationToken);
        return new Empty();
    }

    public override async Task<GetOffsetsReply> GetOffsets(GetOffsetsRequest request, ServerCallContext context)
    {
        var (topic, group) = RequestValidation.GetOffsets(request);
        var stored = await positions.GetAsync(topic, group, context.CancellationToken);
        var reply = new GetOffsetsReply();
        // issue 14: -1 means "nothing acked yet, start at 0" (a Kafka group that committed offset 0): no offset to report.
        foreach (var (partition, offset) in stored.Where(position => position.Value >= 0))
        {
            reply.Offsets[(uint)partition] = (ulong)offset;
        }

        return reply;
    }

    public override async Task<GetEndOffsetsReply> GetEndOffsets(GetEndOffsetsRequest request, ServerCallContext context)
    {
        var topic = RequestValidation.GetEndOffsets(request);
        var endOffsets = await records.GetEndOffsetsAsync(topic, context.CancellationToken);
        var reply = new GetEndOffsetsReply();
        foreach (var (partition, offset) in endOffsets)
        {
            reply.Offsets[(uint)partition] = ReplyMapping.EndOffset(offset);
        }

        return reply;
    }

    /// <summary>
    /// Drains the core's channel into the call. When the client leaves or the gateway stops, the core is told
    /// to end; on a stop it completes the channel, so the client sees a normal end rather than a reset.
    /// </summary>
    private async Task RelayUntilEndedAsync<T, TReply>(
        ChannelReader<T> reader,
        IServerStreamWriter<TReply> responseStream,
        Func<T, IReadOnlyList<TReply>> toReplies,
        Action end,
        ServerCallContext context)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        await using var onEnded = ended.Token.Register(end);
        try
        {
            await StreamDrain.DrainAsync(reader, responseStream, toReplies, context.CancellationToken);
        }
        finally
        {
            end();
        }
    }
}
