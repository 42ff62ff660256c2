using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Liiklus.Actors.Groups;
using Liiklus.Actors.Receiving;
using Liiklus.Actors.Subscriptions;
using Liiklus.Api.Configuration;
using Liiklus.Api.Plugins;
using Liiklus.Api.Operations.Health;
using Liiklus.Api.Operations.Tracing;
using Liiklus.Protocol;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Records;

namespace Liiklus.Api.Grpc;

/// <summary>
/// The Liiklus protocol: maps requests to the core's terms, relays, and maps what comes back to replies. Streaming calls
/// drain what the core's entry points return into the response stream; the core's side ends as soon as the client
/// leaves or the node's drain ends (then the core completes what the call drains, so the client sees a normal end).
/// </summary>
public sealed class LiiklusGrpcService(
    SubscriptionStarter subscriptions,
    ReceiveStreamStarter receiveStreams,
    IRecordsStorage records,
    IPositionsStorage positions,
    GroupPositions groupPositions,
    GatewaySettings settings,
    TimeProvider clock,
    NodeDraining draining,
    RecordPreProcessing preProcessing,
    RecordPostProcessing postProcessing) : LiiklusServiceContract
{
    public override async Task<PublishReply> Publish(PublishRequest request, ServerCallContext context)
    {
        var (topic, record) = RequestMapping.Publish(request, settings.MaxRecordSizeBytes, clock.GetUtcNow());
        // Record pre-processors (schema validation, plugins) may transform or refuse the record.
        if (!preProcessing.IsEmpty)
        {
            (topic, record) = await preProcessing.ProcessAsync(request, topic, record, context.CancellationToken);
        }

        var published = await records.PublishAsync(topic, record, context.CancellationToken);
        return new PublishReply { Topic = topic, Partition = (uint)published.Partition, Offset = (ulong)published.Offset };
    }

    public override async Task Subscribe(SubscribeRequest request, IServerStreamWriter<SubscribeReply> responseStream, ServerCallContext context)
    {
        var (topic, group, reset) = RequestMapping.Subscribe(request);
        using var subscription = subscriptions.Start(topic, group, reset, context.Peer);
        using var clientGone = context.CancellationToken.Register(subscription.Dispose);
        using var drained = draining.Drained.Register(subscription.Dispose);
        await StreamDrain.DrainAssignmentsAsync(subscription, responseStream, context.CancellationToken);
    }

    public override async Task Receive(ReceiveRequest request, IServerStreamWriter<ReceiveReply> responseStream, ServerCallContext context)
    {
        var (session, sessionId, partition, format) = RequestMapping.Receive(request);
        using var stream = receiveStreams.Start(session, sessionId, partition);
        using var clientGone = context.CancellationToken.Register(stream.Dispose);
        using var drained = draining.Drained.Register(stream.Dispose);
        // Delivering: a span in the record's publisher's trace, when tracing is on (Operations/Tracing). Record
        // post-processors run on this call's own drain loop, just before a record becomes a reply: one that throws ends
        // this call with INTERNAL naming it; a record one drops is skipped and the stream goes on.
        StreamDrain.ReplyMapper toReply = postProcessing.IsEmpty
            ? (record, replay, reusable) =>
            {
                GatewayTracing.Delivering(record, session.Topic);
                return ReplyMapping.ToReply(record, replay, format, reusable);
            }
            : (record, replay, reusable) =>
            {
                GatewayTracing.Delivering(record, session.Topic);
                return postProcessing.Process(session.Topic, new ReceivedRecord(record, replay)) is { } delivered
                    ? ReplyMapping.ToReply(delivered.Record, delivered.Replay, format, reusable)
                    : null;
            };
        await StreamDrain.DrainRecordsAsync(
            stream,
            responseStream,
            toReply,
            () => responseStream is IFlushingStreamWriter flushing
                ? flushing.FlushAsync(context.CancellationToken)
                : context.GetHttpContext().Response.BodyWriter.FlushAsync(context.CancellationToken).AsTask(),
            context.CancellationToken);
    }

    public override async Task<Empty> Ack(AckRequest request, ServerCallContext context)
    {
        var (topic, group, partition, offset, sessionId) = RequestMapping.Ack(request);
        // Through the group's coordinator, which refuses acks a position reset has fenced off.
        await groupPositions.AckAsync(topic, group, partition, offset, sessionId, context.CancellationToken);
        return new Empty();
    }

    public override async Task<GetOffsetsReply> GetOffsets(GetOffsetsRequest request, ServerCallContext context)
    {
        var (topic, group) = RequestMapping.GetOffsets(request);
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
        var topic = RequestMapping.GetEndOffsets(request);
        var endOffsets = await records.GetEndOffsetsAsync(topic, context.CancellationToken);
        var reply = new GetEndOffsetsReply();
        foreach (var (partition, offset) in endOffsets)
        {
            reply.Offsets[(uint)partition] = ReplyMapping.EndOffset(offset);
        }

        return reply;
    }
}
