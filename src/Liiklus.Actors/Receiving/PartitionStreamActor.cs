using System.Threading.Channels;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Liiklus.Actors.Groups;
using Liiklus.Actors.Sessions;
using Liiklus.Storage;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Records;

namespace Liiklus.Actors.Receiving;

/// <summary>
/// One Receive call: claims its partition from the group coordinator, starts after the group version's last
/// ack (or at the session's offset reset), and runs a stream graph from the records storage into
/// <c>records</c> (in batches), which the gRPC call drains. The graph pulls only as fast as the client reads. Revocation,
/// cancellation or the coordinator's end completes the stream cleanly.
/// </summary>
public sealed class PartitionStreamActor<TReply> : ReceiveActor, IWithTimers
{
    private const string ClaimTimeoutKey = "claim-timeout";
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SessionToken _session;
    private readonly string _sessionId;
    private readonly int _partition;
    private readonly ReceiveDependencies _dependencies;
    private readonly ChannelWriter<IReadOnlyList<TReply>> _records;
    private readonly Func<ReceivedRecord, TReply> _toReply;
    private UniqueKillSwitch? _killSwitch;

    public PartitionStreamActor(
        SessionToken session,
        string sessionId,
        int partition,
        ReceiveDependencies dependencies,
        ChannelWriter<IReadOnlyList<TReply>> records,
        Func<ReceivedRecord, TReply> toReply)
    {
        _toReply = toReply;
        _session = session;
        _sessionId = sessionId;
        _partition = partition;
        _dependencies = dependencies;
        _records = records;
        Claiming();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="toReply">
    /// what the call sends for a record; it runs in the stream graph, beside (not on) the thread writing to the client
    /// </param>
    public static Props Props(
        SessionToken session,
        string sessionId,
        int partition,
        ReceiveDependencies dependencies,
        ChannelWriter<IReadOnlyList<TReply>> records,
        Func<ReceivedRecord, TReply> toReply) =>
        Akka.Actor.Props.Create(() => new PartitionStreamActor<TReply>(session, sessionId, partition, dependencies, records, toReply));

    protected override void PreStart()
    {
        _dependencies.Groups.Tell(new ClaimPartition(_session.Topic, _session.Group.Name, _sessionId, _partition, Self));
        Timers.StartSingleTimer(ClaimTimeoutKey, ClaimTimedOut.Instance, _dependencies.Settings.ClaimTimeout);
    }

    protected override void PostStop()
    {
        _killSwitch?.Shutdown();
        _records.TryComplete();
    }

    private void Claiming()
    {
        Receive<PartitionClaimed>(_ =>
        {
            Timers.Cancel(ClaimTimeoutKey);
            Context.Watch(Sender);
            // issue 14: the reader's version, so a storage that cannot list versions reads at least up to it.
            _dependencies.Positions.GetVersionsForAsync(_session.Topic, _session.Group, CancellationToken.None)
                .PipeTo(Self, success: positions => new PositionsLoaded(positions), failure: e => new PositionsUnavailable(e));
            Become(LoadingPositions);
        });
        Receive<SessionUnknown>(_ => Finish(new SessionNotFoundException(_sessionId)));
        Receive<PartitionNotOwned>(_ => Finish());
        Receive<GroupUnavailable>(unavailable => Finish(new StorageUnavailableException(unavailable.Reason)));
        Receive<ClaimTimedOut>(_ => Finish(new StorageUnavailableException(
            $"the coordinator of group '{_session.Group.Name}' did not answer within {_dependencies.Settings.ClaimTimeout}")));
        ReceiveEndings();
    }

    private void LoadingPositions()
    {
        Receive<PositionsLoaded>(loaded =>
        {
            var acked = loaded.Positions.TryGetValue(_session.Group.Version, out var own) && own.TryGetValue(_partition, out var offset)
                ? offset
                : (long?)null;
            var replayUntil = loaded.Positions.Values.Select(v => v.TryGetValue(_partition, out var o) ? o : -1).DefaultIfEmpty(-1).Max();
            var start = acked is { } last
                ? StartPosition.At(last + 1)
                : _session.AutoOffsetReset == OffsetReset.Latest ? StartPosition.Latest : StartPosition.Earliest;
            StartStream(start, replayUntil);
            Become(Streaming);
        });
        Receive<PositionsUnavailable>(failed => Finish(new StorageUnavailableException(
            $"positions of group '{_session.Group.Name}' could not be read: {failed.Cause.Message}", failed.Cause)));
        ReceiveEndings();
    }

    private void Streaming()
    {
        Receive<StreamTerminated>(terminated =>
        {
            if (terminated.Cause is not null)
            {
                _log.Warning(terminated.Cause, "Receive stream of partition {0} failed", _partition);
            }

            Context.Stop(Self);
        });
        ReceiveEndings();
    }

    private void ReceiveEndings()
    {
        Receive<ClaimRevoked>(_ => Finish());
        Receive<EndReceive>(_ => Finish());
        Receive<Terminated>(_ => Finish());
    }

    private void StartStream(StartPosition start, long replayUntil)
    {
        var (killSwitch, terminated) = _dependencies.Records
            .PartitionSource(_session.Topic, _partition, start)
            .Select(chunk => ToReplies(chunk, replayUntil))
            // While the client is slower than the storage, chunks gather into batches that cross to the gRPC call
            // together: one hand-over and one flush for many records instead of one each.
            .BatchWeighted(
                _dependencies.Settings.BufferSize,
                replies => replies.Count,
                first => first,
                (batch, next) =>
                {
                    batch.AddRange(next);
                    return batch;
                })
            .Select(IReadOnlyList<TReply> (batch) => batch)
            .ViaMaterialized(KillSwitches.Single<IReadOnlyList<TReply>>(), Keep.Right)
            .WatchTermination(Keep.Both)
            .To(ChannelSink.FromWriter(_records, isOwner: true))
            .Run(_dependencies.Materializer);
        _killSwitch = killSwitch;
        terminated.PipeTo(Self, success: _ => new StreamTerminated(null), failure: e => new StreamTerminated(e));
    }

    private List<TReply> ToReplies(IReadOnlyList<StoredRecord> chunk, long replayUntil)
    {
        var replies = new List<TReply>(chunk.Count);
        foreach (var record in chunk)
        {
            replies.Add(_toReply(new ReceivedRecord(record, record.Offset <= replayUntil)));
        }

        return replies;
    }

    /// <summary>Ends the call: normally, or with <paramref name="cause"/> as the call's status.</summary>
    private void Finish(Exception? cause = null)
    {
        if (_killSwitch is not null && cause is null)
        {
            // Completing the graph completes the channel once what is in flight has been handed over.
            _killSwitch.Shutdown();
            return;
        }

        _records.TryComplete(cause);
        Context.Stop(Self);
    }

    private sealed record PositionsLoaded(IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>> Positions);

    private sealed record PositionsUnavailable(Exception Cause);

    private sealed record StreamTerminated(Exception? Cause);

    private sealed record ClaimTimedOut
    {
        public static readonly ClaimTimedOut Instance = new();
    }
}

/// <summary>The Receive call ended on the client's side or the gateway is stopping.</summary>
public sealed record EndReceive
{
    public static readonly EndReceive Instance = new();

    private EndReceive()
    {
    }
}

/// <param name="BufferSize">records a batch may hold; the gRPC call's channel holds two batches</param>
public sealed record ReceiveSettings(TimeSpan ClaimTimeout, int BufferSize);

/// <summary>What every Receive stream of a node shares.</summary>
public sealed record ReceiveDependencies(
    IActorRef Groups,
    IRecordsStorage Records,
    IPositionsStorage Positions,
    IMaterializer Materializer,
    ReceiveSettings Settings);
