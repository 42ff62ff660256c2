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
using Liiklus.Api.Plugins;
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
    IHostApplicationLifetime lifetime,
    RecordPreProcessing preProcessing,
    RecordPostProcessing postProcessing) : LiiklusService.LiiklusServiceBase
{
    public override async Task<PublishReply> Publish(PublishRequest request, ServerCallContext context)
    {
        var (topic, record) = RequestValidation.Publish(request, settings.MaxRecordSizeBytes, clock.GetUtcNow());
        // ── Hook, issue 15: record pre-processors (schema validation, plugins) may transform or refuse the record. ──
        if (!preProcessing.IsEmpty)
        {
            (topic, record) = await preProcessing.ProcessAsync(request, topic, record, context.CancellationToken);
        }

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
        // ── Hook, issue 15: with record post-processors, records cross to this call unmapped and each is
        // post-processed on the call's own drain loop just before ReplyMapping.ToReply, so a processor that throws
        // ends this call with INTERNAL. Move it to where the Api maps batches of ReceivedRecord to replies. ──
        if (!postProcessing.IsEmpty)
        {
            await StreamAsync(
                session, sessionId, partition, dependencies, record => record,
                batch => PostProcessedReplies(session.Topic, batch, format), responseStream, context);
            return;
        }

        await StreamAsync(
            session, sessionId, partition, dependencies, record => ReplyMapping.ToReply(record, format),
            batch => batch, responseStream, context);
    }

    private async Task StreamAsync<T>(
        SessionToken session,
        string sessionId,
        int partition,
        ReceiveDependencies dependencies,
        Func<ReceivedRecord, T> toItem,
        Func<IReadOnlyList<T>, IReadOnlyList<ReceiveReply>> toReplies,
        IServerStreamWriter<ReceiveReply> responseStream,
        ServerCallContext context)
    {
        var items = Channel.CreateBounded<IReadOnlyList<T>>(
            new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        var stream = system.ActorOf(PartitionStreamActor<T>.Props(session, sessionId, partition, dependencies, items.Writer, toItem));
        await RelayUntilEndedAsync(
            items.Reader,
            responseStream,
            toReplies,
            () => stream.Tell(EndReceive.Instance),
            context);
    }

    // Issue 15: a dropped record is skipped; the stream goes on with the next.
    private List<ReceiveReply> PostProcessedReplies(string topic, IReadOnlyList<ReceivedRecord> batch, ReceiveRequest.Types.ContentFormat format)
    {
        var replies = new List<ReceiveReply>(batch.Count);
        foreach (var record in batch)
        {
            if (postProcessing.Process(topic, record) is { } delivered)
            {
                replies.Add(ReplyMapping.ToReply(delivered, format));
            }
        }

        return replies;
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
        foreach (var (partition, offset) in stored)
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
