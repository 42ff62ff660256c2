using System.Threading.Channels;
using Akka;
using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Liiklus.Actors.Groups;
using Liiklus.Actors.Sessions;
using Liiklus.Storage;
using Liiklus.Storage.Records;

namespace Liiklus.Actors.Receiving;

/// <summary>
/// One Receive call: claims its partition from the group coordinator, starts after the group version's last ack (or at
/// the session's offset reset), and runs a stream graph from the records storage into <c>batches</c>, which the call
/// drains. The graph pulls only as fast as the client reads, and holds at most the stream's byte allowance. Revocation
/// or the coordinator's end completes the stream cleanly (a batch still waiting for room in the channel may be dropped:
/// nothing of it was acked, so the partition's next owner reads it again); cancellation stops it at once. A stream
/// at the tail that gets no records for <see cref="ReceiveSettings.RestAfter"/> comes to rest: its graph ends, the
/// storage's wake-on-append hook wakes it, and what the storage then holds at its tail goes straight to the call
/// (a graph reads when that is not whole in memory or does not fit the stream's bound). A stream that starts where the
/// storage holds its records in memory starts at rest.
/// </summary>
/// <remarks>
/// A node holds one of these per open Receive call, most of them idle: it is an <see cref="UntypedActor"/> with its
/// phase in a field, and waits for its coordinator with the receive timeout, so that each stream does not carry a
/// table of handler delegates per behaviour and a timer scheduler of its own. Its mailbox is the
/// <see cref="CompactMailbox"/>, asked for by the queue it requires (mapped in hocon/akka.conf), so that its props carry
/// no deployment of their own.
/// </remarks>
internal sealed class PartitionStreamActor : UntypedActor, IRequiresMessageQueue<CompactMessageQueue>
{
    private readonly SessionToken _session;
    private readonly string _sessionId;
    private readonly int _partition;
    private readonly ReceiveDependencies _dependencies;
    private readonly ChannelWriter<ReceivedBatch> _batches;
    private readonly StreamByteAllowance _allowance;
    private readonly DeliveryWatermark _watermark;
    // At most what a stream at rest takes from the storage's tail in one go: more goes through a graph.
    private const int MaxTakenAtRest = 256;
    private UniqueKillSwitch? _killSwitch;
    // At rest: no graph, woken by the storage when records come.
    private IDisposable? _resting;
    private long _restingAt;
    private bool _canRest = true;
    private bool _finishing;
    private long _replayUntil;
    private Phase _phase = Phase.Claiming;
    private bool _claimed;
    private bool _revoked;

    public PartitionStreamActor(
        SessionToken session,
        string sessionId,
        int partition,
        ReceiveDependencies dependencies,
        ChannelWriter<ReceivedBatch> batches,
        StreamByteAllowance allowance,
        DeliveryWatermark watermark)
    {
        _watermark = watermark;
        _session = session;
        _sessionId = sessionId;
        _partition = partition;
        _dependencies = dependencies;
        _batches = batches;
        _allowance = allowance;
    }

    private enum Phase
    {
        Claiming,
        LoadingPositions,
        Streaming,
    }

    public static Props Props(
        SessionToken session,
        string sessionId,
        int partition,
        ReceiveDependencies dependencies,
        ChannelWriter<ReceivedBatch> batches,
        StreamByteAllowance allowance,
        DeliveryWatermark watermark) =>
        Akka.Actor.Props.Create(() => new PartitionStreamActor(session, sessionId, partition, dependencies, batches, allowance, watermark));

    protected override void PreStart()
    {
        _dependencies.Groups.Tell(new ClaimPartition(_session.Topic, _session.Group.Name, _sessionId, _partition, Self));
        // Only the claim's answer is awaited meanwhile: no other message comes before it to push the timeout back.
        Context.SetReceiveTimeout(_dependencies.Settings.ClaimTimeout);
    }

    // Its supervisor stops a stream that throws rather than restart it. The call must see that end as the failure it
    // is: a clean end tells a Liiklus client its partition was revoked, and it would wait for an assignment that
    // is already its own.
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        catch (Exception e)
        {
            _batches.TryComplete(e);
            throw;
        }
    }

    protected override void PostStop()
    {
        _killSwitch?.Abort(new StreamEndedException());
        _resting?.Dispose();
        // The coordinator hands a revoked partition over once the acks reach what this stream delivered, and under a
        // reset epoch judges stateless acks by it: tell it this stream's last word, which it can no longer ask for.
        // Only then: the report of a stream ending otherwise would start a coordinator that had stopped.
        if (_claimed && (_revoked || _session.Epoch != 0))
        {
            _dependencies.Groups.Tell(Delivered());
        }

        // The one place the channel is completed, so the call sees exactly one end.
        _batches.TryComplete();
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            // Endings, in any phase.
            case ReportDelivered:
                Sender.Tell(Delivered());
                return;
            case ClaimRevoked:
                _revoked = true;
                Finish();
                return;
            case Terminated:
                Finish();
                return;
            case EndReceive:
                // Nobody reads the call any more: what is in flight is dropped, not waited for.
                Context.Stop(Self);
                return;
        }

        var handled = _phase switch
        {
            Phase.Claiming => Claiming(message),
            Phase.LoadingPositions => LoadingPositions(message),
            _ => Streaming(message),
        };
        if (!handled)
        {
            Unhandled(message);
        }
    }

    private bool Claiming(object message)
    {
        switch (message)
        {
            case PartitionClaimed:
                Context.SetReceiveTimeout(null);
                _claimed = true;
                Context.Watch(Sender);
                // issue 14: the reader's version, so a storage that cannot list versions reads at least up to it.
                _dependencies.Positions.GetVersionsForAsync(_session.Topic, _session.Group, CancellationToken.None)
                    .PipeTo(Self, success: positions => new PositionsLoaded(positions), failure: e => new PositionsUnavailable(e));
                _phase = Phase.LoadingPositions;
                return true;
            case SessionUnknown:
                Finish(new SessionNotFoundException(_sessionId));
                return true;
            case PartitionNotOwned:
                Finish();
                return true;
            case GroupUnavailable unavailable:
                // The coordinator could not learn the topic's partitions from the records storage.
                Finish(StorageUnavailableException.Records(
                    $"group '{_session.Group.Name}' of topic '{_session.Topic}' is unavailable: {unavailable.Reason}"));
                return true;
            case ReceiveTimeout:
                Finish(new CoordinatorUnavailableException(
                    $"the coordinator of group '{_session.Group.Name}' of topic '{_session.Topic}' did not answer within {_dependencies.Settings.ClaimTimeout}"));
                return true;
            default:
                return false;
        }
    }

    private bool LoadingPositions(object message)
    {
        switch (message)
        {
            case PositionsLoaded loaded:
                var acked = loaded.Positions.TryGetValue(_session.Group.Version, out var own) && own.TryGetValue(_partition, out var offset)
                    ? offset
                    : (long?)null;
                var replayUntil = loaded.Positions.Values.Select(v => v.TryGetValue(_partition, out var o) ? o : -1).DefaultIfEmpty(-1).Max();
                var start = acked is { } last
                    ? StartPosition.At(last + 1)
                    : _session.AutoOffsetReset == OffsetReset.Latest ? StartPosition.Latest : StartPosition.Earliest;
                _replayUntil = replayUntil;
                _phase = Phase.Streaming;
                if (_dependencies.Records.RestingOffset(_session.Topic, _partition, start) is { } first)
                {
                    // What there is to read is in the storage's memory: taken without a graph, and none until more comes.
                    Rest(first);
                }
                else
                {
                    StartStream(start);
                }

                return true;
            case PositionsUnavailable failed:
                Finish(new StorageUnavailableException(
                    (failed.Cause as StorageUnavailableException)?.Summary ?? StorageUnavailableException.PositionsSummary,
                    $"positions of group '{_session.Group.Name}' could not be read: {failed.Cause.Message}",
                    failed.Cause));
                return true;
            default:
                return false;
        }
    }

    private bool Streaming(object message)
    {
        if (message is Woken)
        {
            if (_resting is not null && !TakeAtRest())
            {
                // The new graph first: on Kafka the wait keeps the partition's shared tail running until the graph reads it.
                StartStream(StartPosition.At(_restingAt));
                _resting.Dispose();
                _resting = null;
            }

            return true;
        }

        if (message is not StreamTerminated terminated)
        {
            return false;
        }

        _killSwitch = null;
        if (terminated is { Cause: null, RestingAt: >= 0 } && !_finishing)
        {
            Rest(terminated.RestingAt);
            return true;
        }

        if (terminated.Cause is not null and not StreamEndedException)
        {
            // A logger made only when needed: tens of thousands of idle streams would each hold one.
            Context.GetLogger().Warning(terminated.Cause, "Receive stream of topic {Topic} partition {Partition} failed", _session.Topic, _partition);
            _batches.TryComplete(terminated.Cause);
        }

        Context.Stop(Self);
        return true;
    }

    /// <summary>
    /// The stream is at the tail with nothing to read (its graph read up to it and nothing came for a while, or it has
    /// just started there): it holds no graph, nor the actor that runs one, and the storage wakes it when records come.
    /// </summary>
    private void Rest(long nextOffset)
    {
        var self = Self;
        _restingAt = nextOffset;
        _resting = _dependencies.Records.WakeOnAppend(_session.Topic, _partition, nextOffset, () => self.Tell(Woken.Instance));
        if (_resting is null)
        {
            // The storage cannot wake it: the stream keeps a graph, as it did before it could rest.
            _canRest = false;
            StartStream(StartPosition.At(nextOffset));
        }
    }

    /// <summary>
    /// Woken at rest: hands what the storage holds at its tail straight to the call, when the stream's bound and the
    /// channel take it whole, and waits again after it; false when a graph must read (the records are not at the tail
    /// any more, or the stream must wait for room).
    /// </summary>
    private bool TakeAtRest()
    {
        if (_dependencies.Records.ReadAtTail(_session.Topic, _partition, _restingAt, MaxTakenAtRest) is not { } records)
        {
            return false;
        }

        if (records.Count > 0)
        {
            // The longest prefix the stream's bound takes; its first record alone when nothing fits.
            var room = _allowance.Room;
            var count = 0;
            long bytes = 0;
            while (count < records.Count && (count == 0 || bytes + records[count].SizeInBytes <= room))
            {
                bytes += records[count].SizeInBytes;
                count++;
            }

            if (!_allowance.TryTake(bytes))
            {
                return false;
            }

            var taken = count == records.Count ? records : records.Take(count).ToArray();
            if (!_batches.TryWrite(new ReceivedBatch(taken, bytes, _replayUntil)))
            {
                // The call has not taken the last batch yet: a graph waits for it.
                _allowance.Release(bytes);
                return false;
            }

            _restingAt = taken[^1].Offset + 1;
        }

        // Woken again at once when more records came meanwhile.
        var self = Self;
        var wait = _dependencies.Records.WakeOnAppend(_session.Topic, _partition, _restingAt, () => self.Tell(Woken.Instance));
        if (wait is null)
        {
            return false;
        }

        _resting!.Dispose();
        _resting = wait;
        return true;
    }

    private void StartStream(StartPosition start)
    {
        var (killSwitch, terminated) = _dependencies.Records
            .PartitionSource(_session.Topic, _partition, start)
            // Right after the source, so that ending the stream lets what the sink holds through to the channel.
            .ViaMaterialized(KillSwitches.Single<IReadOnlyList<StoredRecord>>(), Keep.Right)
            .ToMaterialized(new ReceiveBatchSink(_allowance, _batches, _replayUntil, _canRest ? _dependencies.Settings.RestAfterOrDefault : null), Keep.Both)
            .Run(_dependencies.Materializer);
        _killSwitch = killSwitch;
        terminated.PipeTo(Self, success: restingAt => new StreamTerminated(null, restingAt), failure: e => new StreamTerminated(e, ReceiveBatchSink.NotAtRest));
    }

    private DeliveredUpTo Delivered() =>
        new(_session.Topic, _session.Group.Name, _sessionId, _partition, _watermark.Highest);

    /// <summary>Ends the call: normally, or with <paramref name="cause"/> as the call's status.</summary>
    private void Finish(Exception? cause = null)
    {
        if (_killSwitch is not null && cause is null)
        {
            // Completing the source lets a batch being gathered reach the call; the channel completes when the graph has ended.
            _finishing = true;
            _killSwitch.Shutdown();
            return;
        }

        _batches.TryComplete(cause);
        Context.Stop(Self);
    }

    private sealed record PositionsLoaded(IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>> Positions) : INoSerializationVerificationNeeded;

    private sealed record PositionsUnavailable(Exception Cause) : INoSerializationVerificationNeeded;

    /// <summary>Arrives after the actor stopped when the call ended first: not worth a dead-letter line.</summary>
    /// <param name="RestingAt">the offset to read next when the stream came to rest; negative when it ended otherwise</param>
    private sealed record StreamTerminated(Exception? Cause, long RestingAt) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

    /// <summary>The storage has records for a stream at rest (or may have: a spurious wake only starts a graph).</summary>
    private sealed record Woken : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly Woken Instance = new();
    }

    /// <summary>The stream was stopped with its actor, which completes the call itself.</summary>
    private sealed class StreamEndedException() : Exception("the receive stream ended");
}
