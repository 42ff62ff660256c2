using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Liiklus.Actors.Sessions;
using Liiklus.Actors.Telemetry;
using Liiklus.Storage;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Records;

namespace Liiklus.Actors.Groups;

/// <summary>
/// The sharded entity of one (topic, group name): knows the topic's partitions and the live subscriptions of
/// every version of the name, gives each partition to exactly one subscription, rebalances stickily when
/// members come and go (found out by death watch) or the topic gains partitions (asked when a member joins and
/// on a timer while it has members), and tells each claimed Receive stream when its partition leaves its session.
/// <para>
/// Every ack is stored through it, so that a position reset can fence off acks made before it. The rule: a reset of
/// (version, partition) starts a new epoch, a value never used before for it. The partition is revoked from the
/// version's session and assigned again under a session id that carries the epoch; the reset waits for the ack writes
/// it has started, writes the new positions, and only then answers other messages. Afterwards an ack naming a session
/// id of another epoch is refused, and a stateless ack (topic, group, version, partition) is stored only when its
/// offset lies between the reset target and the highest offset a Receive stream of the new epoch has written to its
/// client: a record must have been delivered since the reset for its ack to count. The coordinator learns that
/// watermark from the streams themselves, wherever they run: it asks the partition's claimed stream when an ack is
/// above what it knows, and a stream of an epoch reports its last word when it ends. Epochs live as long as the
/// coordinator: one that passivated (no member, no stream, idle) or moved with a lost node starts without fences.
/// </para>
/// <para>
/// A partition taken from a session whose stream was reading it is handed over once that session's last ack has
/// landed: clients ack what they handled as their stream ends, and a next owner assigned before that ack would start
/// from the older position and deliver those records again. The stream reports the last offset it delivered when it
/// ends; the partition goes to its next owner when an ack of the old session's version reaches that offset, when the
/// stream delivered nothing, or after the handoff grace at the latest.
/// </para>
/// </summary>
public sealed class GroupCoordinator : ReceiveActor, IWithStash, IWithTimers
{
    private const string RefreshKey = "refresh-partitions";

    // How long a stateless ack above the known watermark waits for the partition's stream to say what it delivered.
    private static readonly TimeSpan DeliveredAnswer = TimeSpan.FromSeconds(5);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IRecordsStorage _records;
    private readonly IPositionsStorage _positions;
    private readonly Dictionary<(uint Version, int Partition), Fence> _fences = [];
    private readonly Dictionary<(uint Version, int Partition), DateTimeOffset> _lastAcks = [];
    private readonly Dictionary<(uint Version, int Partition), List<PendingAck>> _pendingAcks = [];
    private readonly Dictionary<(uint Version, int Partition), long> _ackedOffsets = [];
    private readonly HashSet<(uint Version, int Partition)> _writing = [];
    private readonly Dictionary<(uint Version, int Partition), QueuedAcks> _queuedAcks = [];
    private readonly Dictionary<int, Handoff> _handoffs = [];
    private readonly TimeSpan _handoffGrace;
    // Acks taken and not yet answered: those being written and those queued behind a write of their partition.
    private int _writesInFlight;
    private long _lastEpoch;
    private Action? _whenWritesDone;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeSpan _refreshInterval;
    private readonly GroupTelemetry? _telemetry;
    private readonly List<Member> _members = [];
    private readonly Dictionary<int, Claim> _claims = [];
    private string?[] _owners = [];
    private string _topic = "";
    private string _groupName = "";
    private bool _refreshing;

    /// <param name="telemetry">where rebalances, claims and the coordinated groups are reported; null: nowhere</param>
    /// <param name="handoffGrace">how long a revoked partition waits at most for its old session's last ack (see the class)</param>
    public GroupCoordinator(
        IRecordsStorage records,
        IPositionsStorage positions,
        TimeSpan idleTimeout,
        TimeSpan refreshInterval,
        GroupTelemetry? telemetry = null,
        TimeSpan handoffGrace = default)
    {
        _handoffGrace = handoffGrace;
        _records = records;
        _positions = positions;
        _idleTimeout = idleTimeout;
        _refreshInterval = refreshInterval;
        _telemetry = telemetry;
        LearningPartitions();
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(
        IRecordsStorage records,
        IPositionsStorage positions,
        TimeSpan idleTimeout,
        TimeSpan refreshInterval,
        GroupTelemetry? telemetry = null,
        TimeSpan handoffGrace = default) =>
        Akka.Actor.Props.Create(() => new GroupCoordinator(records, positions, idleTimeout, refreshInterval, telemetry, handoffGrace));

    protected override void PostStop() => _telemetry?.Stopped(_topic, _groupName);

    private void LearningPartitions()
    {
        Receive<IGroupCommand>(command =>
        {
            if (_topic.Length == 0)
            {
                _topic = command.Topic;
                _groupName = command.GroupName;
                _records.GetPartitionCountAsync(command.Topic, CancellationToken.None)
                    .PipeTo(Self, success: count => new PartitionsLearned(count), failure: e => new PartitionsUnknown(e));
            }

            Stash.Stash();
        });
        Receive<PartitionsLearned>(learned =>
        {
            _owners = new string?[learned.Count];
            _log.Info("Group coordinator for topic {Topic} group {Group} ready with {PartitionCount} partitions", _topic, _groupName, learned.Count);
            Become(Coordinating);
            Stash.UnstashAll();
            UpdateIdleTimeout();
        });
        Receive<PartitionsUnknown>(unknown =>
        {
            _log.Warning(unknown.Cause, "Group coordinator for topic {Topic} group {Group} could not learn the topic's partitions", _topic, _groupName);
            Stash.UnstashAll();
            Become(Unavailable(unknown.Cause.Message));
        });
    }

    private Action Unavailable(string reason) => () =>
    {
        // Answer what was waiting, then stop, so the next subscription tries the storage again.
        Receive<IGroupCommand>(command => ReplyTo(command).Tell(new GroupUnavailable(reason)));
        Context.Parent.Tell(new Passivate(PoisonPill.Instance));
    };

    private void Coordinating()
    {
        Receive<JoinGroup>(join =>
        {
            var existing = _members.FindIndex(m => m.SessionId == join.SessionId);
            if (existing >= 0)
            {
                _members[existing] = _members[existing] with { Subscriber = join.Subscriber, ClientAddress = join.ClientAddress };
            }
            else
            {
                _members.Add(new Member(join.SessionId, Identify(join.SessionId).Version, join.Subscriber, join.ClientAddress));
            }

            Context.Watch(join.Subscriber);
            _telemetry?.Joined(_topic, _groupName, join.SessionId);
            Rebalance(joiner: join.SessionId);
            // Every join is answered with the session's whole share, even an empty one: it acknowledges a join
            // that may have been retried, and subscribers ignore partitions they already hold.
            join.Subscriber.Tell(Assigned(_members.First(m => m.SessionId == join.SessionId), HeldBy(join.SessionId)));
            UpdateIdleTimeout();
            RefreshPartitions();
        });
        Receive<RefreshPartitionsNow>(_ => RefreshPartitions());
        Receive<PartitionsLearned>(learned =>
        {
            _refreshing = false;
            if (learned.Count > _owners.Length)
            {
                _log.Info("Topic {Topic} grew from {PartitionCount} to {NewPartitionCount} partitions (group {Group})", _topic, _owners.Length, learned.Count, _groupName);
                _owners = [.. _owners, .. new string?[learned.Count - _owners.Length]];
                Rebalance();
            }
        });
        Receive<PartitionsUnknown>(unknown =>
        {
            _refreshing = false;
            _log.Debug("Group coordinator for topic {Topic} group {Group} could not refresh the topic's partitions: {Reason}", _topic, _groupName, unknown.Cause.Message);
        });
        Receive<LeaveGroup>(leave => RemoveMember(leave.SessionId));
        Receive<ClaimPartition>(OnClaim);
        Receive<GetGroupState>(_ => Sender.Tell(new GroupState(
            _owners.Length,
            _members.ToDictionary(m => m.SessionId, m => HeldBy(m.SessionId)),
            _members.ToDictionary(m => m.SessionId, m => NodeOf(m.Subscriber)),
            _members.Where(m => m.ClientAddress is not null).ToDictionary(m => m.SessionId, m => m.ClientAddress!),
            [.. _lastAcks.Select(a => new LastAck(a.Key.Version, a.Key.Partition, a.Value))])));
        Receive<AckPosition>(ack => OnAck(ack, Sender));
        Receive<AckWritten>(OnAckWritten);
        Receive<DeliveredUpTo>(OnDelivered);
        Receive<PendingAcksExpired>(expired => RefusePending(expired.Key, null));
        Receive<HandoffExpired>(expired => HandOver(expired.Partition));
        Receive<ResetGroupPositions>(reset => StartReset(reset, Sender));
        Receive<DeleteGroupPositions>(delete => StartDelete(delete, Sender));
        Receive<Terminated>(terminated =>
        {
            if (_members.Find(m => m.Subscriber.Equals(terminated.ActorRef)) is { } member)
            {
                RemoveMember(member.SessionId);
            }

            foreach (var (partition, claim) in _claims.Where(c => c.Value.Stream.Equals(terminated.ActorRef)).ToList())
            {
                _claims.Remove(partition);
            }

            if (terminated.AddressTerminated)
            {
                // The node is gone, and with it the client's connection to that session: no last ack will come.
                var node = terminated.ActorRef.Path.Address;
                foreach (var partition in _handoffs.Where(h => h.Value.StreamNode.Equals(node)).Select(h => h.Key).ToList())
                {
                    HandOver(partition);
                }
            }

            UpdateIdleTimeout();
        });
        Receive<ReceiveTimeout>(_ =>
        {
            // The timer's message may have been queued behind a join that arrived since.
            if (_members.Count == 0 && _claims.Count == 0)
            {
                Passivating();
            }
        });
    }

    /// <summary>
    /// Asks the shard to stop this coordinator. The shard holds later messages for the next incarnation, but what
    /// reached this one meanwhile would be handled and then lost with it (a join's partitions would end as if revoked):
    /// such commands go back to the shard, which delivers them once this one has stopped.
    /// </summary>
    private void Passivating()
    {
        Context.SetReceiveTimeout(null);
        Timers.CancelAll();
        Context.Parent.Tell(new Passivate(PoisonPill.Instance));
        Become(() =>
        {
            // A stream's last report matters to this incarnation only: forwarded, it would start the next one.
            Receive<DeliveredUpTo>(_ => { });
            Receive<IGroupCommand>(command => Context.Parent.Forward(command));
            ReceiveAny(_ => { });
        });
    }

    private void OnClaim(ClaimPartition claim)
    {
        using var span = CoordinatorTracing.Start("claim", _topic, _groupName);
        span?.SetTag("liiklus.partition", claim.Partition);
        var (memberId, version, epoch) = Identify(claim.SessionId);
        if (_members.All(m => m.SessionId != memberId))
        {
            claim.Stream.Tell(new SessionUnknown(claim.SessionId));
            span?.SetTag("liiklus.claim.result", "session_unknown");
            _telemetry?.Claimed("session_unknown");
            return;
        }

        // An id of an older epoch lost the partition to the reset, as if it had moved to another session.
        if (claim.Partition < 0 || claim.Partition >= _owners.Length || _owners[claim.Partition] != memberId
            || EpochOf(version, claim.Partition) != epoch || _handoffs.ContainsKey(claim.Partition))
        {
            claim.Stream.Tell(new PartitionNotOwned(claim.SessionId, claim.Partition));
            span?.SetTag("liiklus.claim.result", "not_owned");
            _telemetry?.Claimed("not_owned");
            return;
        }

        // One stream per partition: a newer Receive for the same partition replaces the older one.
        if (_claims.TryGetValue(claim.Partition, out var previous) && !previous.Stream.Equals(claim.Stream))
        {
            previous.Stream.Tell(new ClaimRevoked(previous.SessionId, claim.Partition));
        }

        _claims[claim.Partition] = new Claim(claim.SessionId, claim.Stream);
        Context.Watch(claim.Stream);
        claim.Stream.Tell(new PartitionClaimed(claim.SessionId, claim.Partition));
        span?.SetTag("liiklus.claim.result", "claimed");
        _telemetry?.Claimed("claimed");
        UpdateIdleTimeout();
    }

    private void RemoveMember(string sessionId)
    {
        var index = _members.FindIndex(m => m.SessionId == sessionId);
        if (index < 0)
        {
            return;
        }

        _members.RemoveAt(index);
        Rebalance();
        UpdateIdleTimeout();
    }

    /// <param name="joiner">a session that is told its whole share afterwards, so gets no separate diff</param>
    private void Rebalance(string? joiner = null)
    {
        using var span = CoordinatorTracing.Start("rebalance", _topic, _groupName);
        var next = StickyAssignment.Rebalance(_owners, _members.Select(m => m.SessionId).ToList());
        var revoked = new Dictionary<string, List<int>>();
        var assigned = new Dictionary<string, List<int>>();
        for (var partition = 0; partition < next.Length; partition++)
        {
            var before = _owners[partition];
            var after = next[partition];
            if (before == after)
            {
                continue;
            }

            if (before is not null)
            {
                Add(revoked, before, partition);
                if (_claims.Remove(partition, out var claim))
                {
                    claim.Stream.Tell(new ClaimRevoked(claim.SessionId, partition));
                    if (_handoffGrace > TimeSpan.Zero && !_handoffs.ContainsKey(partition))
                    {
                        _handoffs[partition] = new Handoff(claim.SessionId, Identify(claim.SessionId).Version, claim.Stream.Path.Address);
                        Timers.StartSingleTimer(("handoff", partition), new HandoffExpired(partition), _handoffGrace);
                    }
                }
            }

            if (after is null)
            {
                DropHandoff(partition);
            }
            else if (!_handoffs.ContainsKey(partition))
            {
                Add(assigned, after, partition);
            }
        }

        _owners = next;
        foreach (var member in _members)
        {
            if (revoked.TryGetValue(member.SessionId, out var lost))
            {
                member.Subscriber.Tell(new PartitionsRevoked(member.SessionId, lost));
            }

            if (member.SessionId != joiner && assigned.TryGetValue(member.SessionId, out var gained))
            {
                member.Subscriber.Tell(Assigned(member, gained));
            }
        }

        span?.SetTag("liiklus.members", _members.Count);
        span?.SetTag("liiklus.partitions.moved", assigned.Values.Sum(p => p.Count));
        if (revoked.Count > 0 || assigned.Count > 0)
        {
            _telemetry?.Rebalanced();
            _log.Info(
                "Rebalanced topic {Topic} group {Group} over {MemberCount} members: {MovedPartitions} partitions moved",
                _topic,
                _groupName,
                _members.Count,
                assigned.Values.Sum(p => p.Count));
        }
    }

    /// <summary>The member a session id stands for (its id without an epoch), its group version and its epoch.</summary>
    private static (string MemberId, uint Version, long Epoch) Identify(string sessionId) =>
        SessionToken.TryDecode(sessionId, out var token)
            ? (token.Epoch == 0 ? sessionId : token.MemberId, token.Group.Version, token.Epoch)
            : (sessionId, 0, 0);

    private long EpochOf(uint version, int partition) =>
        _fences.TryGetValue((version, partition), out var fence) ? fence.Epoch : 0;

    private PartitionsAssigned Assigned(Member member, IReadOnlyList<int> partitions) =>
        partitions.Any(p => EpochOf(member.Version, p) != 0)
            ? new PartitionsAssigned(member.SessionId, partitions, [.. partitions.Select(p => EpochOf(member.Version, p))])
            : new PartitionsAssigned(member.SessionId, partitions);

    /// <summary>The partitions a session owns and has been told of: those waiting for a handoff are not yet its.</summary>
    private IReadOnlyList<int> HeldBy(string sessionId) => [.. PartitionsOf(sessionId).Where(p => !_handoffs.ContainsKey(p))];

    /// <summary>Ends a partition's handoff: its owner, if any, is told of it now.</summary>
    private void HandOver(int partition)
    {
        if (!DropHandoff(partition))
        {
            return;
        }

        if (partition < _owners.Length && _owners[partition] is { } owner && _members.Find(m => m.SessionId == owner) is { } member)
        {
            member.Subscriber.Tell(Assigned(member, [partition]));
        }
    }

    private bool DropHandoff(int partition)
    {
        Timers.Cancel(("handoff", partition));
        return _handoffs.Remove(partition);
    }

    private void OnAck(AckPosition ack, IActorRef replyTo)
    {
        var key = (ack.GroupVersion, ack.Partition);
        if (_fences.TryGetValue(key, out var fence))
        {
            if (ack.SessionId is { } sessionId)
            {
                if (Identify(sessionId).Epoch != fence.Epoch)
                {
                    replyTo.Tell(new AckRefused(ack.Partition, AckRefusal.StaleSession, $"session '{sessionId}' held partition {ack.Partition} before its positions were reset; ack with the session id of the partition's new assignment"));
                    return;
                }
            }
            else if (ack.Offset < fence.Target)
            {
                replyTo.Tell(new AckRefused(ack.Partition, AckRefusal.NotDeliveredSinceReset, $"offset {ack.Offset} of partition {ack.Partition} precedes the position the group version was reset to ({fence.Target}): the ack was made before the reset"));
                return;
            }
            else if (ack.Offset > fence.DeliveredMax)
            {
                // Perhaps delivered since the watermark was last heard of: ask the stream of the epoch that reads it now.
                if (_claims.TryGetValue(ack.Partition, out var claim) && Identify(claim.SessionId) is var owner
                    && owner.Version == ack.GroupVersion && owner.Epoch == fence.Epoch)
                {
                    if (!_pendingAcks.TryGetValue(key, out var pending))
                    {
                        _pendingAcks[key] = pending = [];
                        Timers.StartSingleTimer(("pending-acks", key), new PendingAcksExpired(key), DeliveredAnswer);
                    }

                    pending.Add(new PendingAck(ack, replyTo, claim.SessionId));
                    claim.Stream.Tell(new ReportDelivered(claim.SessionId, ack.Partition));
                    return;
                }

                replyTo.Tell(NotDelivered(ack, fence));
                return;
            }
        }

        Write(ack, replyTo);
    }

    private static AckRefused NotDelivered(AckPosition ack, Fence fence) =>
        new(ack.Partition, AckRefusal.NotDeliveredSinceReset, $"offset {ack.Offset} of partition {ack.Partition} has not been delivered since the group version's position was reset to {fence.Target}: the ack was made before the reset");

    /// <summary>
    /// Stores an ack. A (version, partition) has one write at a time, so a later ack is never overwritten by an earlier
    /// one that reached the store after it; acks that come meanwhile wait as one, and only the last of them is written
    /// (last write wins) and answers them all. The write starts on the thread pool: a store's own work before its
    /// request leaves (building and signing it) is not done on the coordinator's one thread, which every ack of the
    /// group goes through.
    /// </summary>
    private void Write(AckPosition ack, IActorRef replyTo)
    {
        _writesInFlight++;
        var key = (ack.GroupVersion, ack.Partition);
        if (!_writing.Contains(key))
        {
            StartWrite(key, ack, [replyTo]);
        }
        else if (_queuedAcks.TryGetValue(key, out var queued))
        {
            queued.Latest = ack;
            queued.ReplyTo.Add(replyTo);
        }
        else
        {
            _queuedAcks[key] = new QueuedAcks(ack, replyTo);
        }
    }

    private void StartWrite((uint Version, int Partition) key, AckPosition ack, List<IActorRef> replyTo)
    {
        _writing.Add(key);
        var positions = _positions;
        Task.Run(() => positions.UpdateAsync(ack.Topic, new GroupId(ack.GroupName, ack.GroupVersion), ack.Partition, ack.Offset, CancellationToken.None))
            .PipeTo(Self, success: () => new AckWritten(key, ack.Offset, replyTo, null), failure: e => new AckWritten(key, ack.Offset, replyTo, e));
    }

    private void OnAckWritten(AckWritten written)
    {
        _writesInFlight -= written.ReplyTo.Count;
        _writing.Remove(written.Key);
        var partition = written.Key.Partition;
        switch (written.Failure)
        {
            case null:
                _lastAcks[written.Key] = DateTimeOffset.UtcNow;
                _ackedOffsets[written.Key] = written.Offset;
                Tell(written.ReplyTo, new AckStored(partition));
                if (_handoffs.TryGetValue(partition, out var handoff) && handoff.Version == written.Key.Version
                    && handoff.Delivered is { } delivered && written.Offset >= delivered)
                {
                    HandOver(partition);
                }

                break;
            case PositionOutOfRangeException outOfRange:
                Tell(written.ReplyTo, new AckRefused(partition, AckRefusal.OutOfRange, outOfRange.Problem, outOfRange.Field));
                break;
            case StorageUnavailableException unavailable:
                Tell(written.ReplyTo, new AckRefused(partition, AckRefusal.StorageUnavailable, unavailable.Summary));
                break;
            default:
                _log.Warning(written.Failure, "Ack of topic {Topic} group {Group} version {GroupVersion} partition {Partition} could not be stored", _topic, _groupName, written.Key.Version, partition);
                Tell(written.ReplyTo, new AckRefused(partition, AckRefusal.StorageUnavailable, StorageUnavailableException.PositionsSummary));
                break;
        }

        // The acks that came while this one was written: the last of them now, for all of them.
        if (_queuedAcks.Remove(written.Key, out var queued))
        {
            StartWrite(written.Key, queued.Latest, queued.ReplyTo);
        }

        if (_writesInFlight == 0 && _whenWritesDone is { } next)
        {
            _whenWritesDone = null;
            next();
        }
    }

    private static void Tell(List<IActorRef> replyTo, IGroupMessage answer)
    {
        foreach (var asker in replyTo)
        {
            asker.Tell(answer);
        }
    }

    private void OnDelivered(DeliveredUpTo delivered)
    {
        if (_handoffs.TryGetValue(delivered.Partition, out var handoff) && handoff.StreamSession == delivered.SessionId)
        {
            handoff.Delivered = delivered.HighestOffset;
            if (delivered.HighestOffset < 0
                || (_ackedOffsets.TryGetValue((handoff.Version, delivered.Partition), out var acked) && acked >= delivered.HighestOffset))
            {
                HandOver(delivered.Partition);
            }
        }

        var (_, version, epoch) = Identify(delivered.SessionId);
        var key = (version, delivered.Partition);
        if (!_fences.TryGetValue(key, out var fence) || fence.Epoch != epoch)
        {
            return;
        }

        fence.DeliveredMax = Math.Max(fence.DeliveredMax, delivered.HighestOffset);
        if (!_pendingAcks.TryGetValue(key, out var pending))
        {
            return;
        }

        foreach (var ack in pending.Where(p => p.Ack.Offset <= fence.DeliveredMax).ToList())
        {
            pending.Remove(ack);
            Write(ack.Ack, ack.ReplyTo);
        }

        // The stream that was asked has answered: what it did not deliver, no stream of the epoch did as far as is known.
        RefusePending(key, delivered.SessionId);
    }

    /// <param name="askedSession">only the acks waiting for this stream's answer; all of them when null</param>
    private void RefusePending((uint Version, int Partition) key, string? askedSession)
    {
        if (!_pendingAcks.TryGetValue(key, out var pending))
        {
            return;
        }

        foreach (var ack in pending.Where(p => askedSession is null || p.AskedSession == askedSession).ToList())
        {
            pending.Remove(ack);
            ack.ReplyTo.Tell(_fences.TryGetValue(key, out var fence)
                ? NotDelivered(ack.Ack, fence)
                : new AckRefused(key.Partition, AckRefusal.NotDeliveredSinceReset, $"partition {key.Partition} was reset while the ack waited"));
        }

        if (pending.Count == 0)
        {
            _pendingAcks.Remove(key);
            Timers.Cancel(("pending-acks", key));
        }
    }

    private void StartReset(ResetGroupPositions reset, IActorRef replyTo)
    {
        var version = reset.GroupVersion;
        var epoch = _lastEpoch = Math.Max(DateTime.UtcNow.Ticks, _lastEpoch + 1);
        var revoked = new Dictionary<string, List<int>>();
        foreach (var partition in reset.Targets.Select(t => t.Partition))
        {
            var key = (version, partition);
            // Until the positions are written no ack of the partition is stored; what waits now was made before.
            _fences[key] = new Fence(epoch, long.MaxValue);
            RefusePending(key, null);
            if (partition < _owners.Length && _owners[partition] is { } owner && _members.Find(m => m.SessionId == owner) is { } member
                && member.Version == version)
            {
                // The reset writes the position a handoff would wait for: the owner is assigned it with the reset.
                DropHandoff(partition);
                Add(revoked, owner, partition);
                if (_claims.Remove(partition, out var claim))
                {
                    claim.Stream.Tell(new ClaimRevoked(claim.SessionId, partition));
                }
            }
        }

        foreach (var (sessionId, partitions) in revoked)
        {
            _members.Find(m => m.SessionId == sessionId)!.Subscriber.Tell(new PartitionsRevoked(sessionId, partitions));
        }

        var group = new GroupId(_groupName, version);
        Exclusively(
            () => Guarded(() => _positions.GetAsync(reset.Topic, group, CancellationToken.None))
                .PipeTo(Self, success: stored => new ResetStep(stored, null), failure: e => new ResetStep(null, e)),
            () =>
            {
        Receive<ResetStep>(step =>
        {
            if (step.Failure is not null || step.Stored is null)
            {
                FinishReset(reset, replyTo, epoch, revoked, null, step.Failure);
                return;
            }

            var moves = reset.Targets
                .Select(target => PartitionMove.Plan(target, step.Stored.TryGetValue(target.Partition, out var acked) ? acked : null))
                .ToList();
            // Stored as Liiklus's "last acked": the position - 1 (-1 for 0, which readers take as "start at 0").
            Task.WhenAll(moves.Select(move => Guarded(() => _positions.UpdateAsync(reset.Topic, group, move.Partition, move.Next - 1, CancellationToken.None))))
                .PipeTo(Self, success: () => new ResetWritten(moves, null), failure: e => new ResetWritten(moves, e));
        });
        Receive<ResetWritten>(written => FinishReset(reset, replyTo, epoch, revoked, written.Moves, written.Failure));
            });
    }

    private void FinishReset(
        ResetGroupPositions reset,
        IActorRef replyTo,
        long epoch,
        Dictionary<string, List<int>> revoked,
        List<PartitionMove>? moves,
        Exception? failure)
    {
        var written = failure is null ? moves : null;
        foreach (var target in reset.Targets)
        {
            // After a failed write a position may be the old one or the new: acks are judged by what was delivered since.
            var next = written?.First(m => m.Partition == target.Partition).Next;
            _fences[(reset.GroupVersion, target.Partition)] = next is { } position ? new Fence(epoch, position) : new Fence(epoch, 0);
        }

        if (written is not null)
        {
            _log.Info(
                "Positions of topic {Topic} group {Group} version {GroupVersion} reset by {Requester}: {Moves}",
                _topic,
                _groupName,
                reset.GroupVersion,
                reset.Requester,
                string.Join(", ", written.Select(m => $"partition {m.Partition} {(m.PreviousNext is { } before ? before.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")} -> {m.Next}")));
            replyTo.Tell(new GroupPositionsReset(written));
        }
        else
        {
            _log.Warning(failure, "Reset of topic {Topic} group {Group} version {GroupVersion} by {Requester} failed", _topic, _groupName, reset.GroupVersion, reset.Requester);
            replyTo.Tell(new GroupResetFailed(failure is StorageUnavailableException unavailable ? unavailable.Summary : StorageUnavailableException.PositionsSummary));
        }

        foreach (var (sessionId, partitions) in revoked)
        {
            if (_members.Find(m => m.SessionId == sessionId) is { } member)
            {
                member.Subscriber.Tell(Assigned(member, partitions));
            }
        }

        EndExclusive();
    }

    private void StartDelete(DeleteGroupPositions delete, IActorRef replyTo)
    {
        var live = _members.Where(m => delete.GroupVersion is not { } version || m.Version == version).ToList();
        if (live.Count > 0)
        {
            replyTo.Tell(new GroupDeletionRefused(
                GroupDeletionRefusal.LiveMembers,
                $"group '{_groupName}' of topic '{_topic}' has {live.Count} live member(s) of version(s) {string.Join(", ", live.Select(m => m.Version).Distinct().Order())}; stop its consumers first"));
            return;
        }

        Exclusively(
            () => Guarded(() => _positions.GetAllVersionsAsync(delete.Topic, _groupName, CancellationToken.None))
                .PipeTo(Self, success: versions => new DeleteStep(versions, null), failure: e => new DeleteStep(null, e)),
            () =>
            {
        Receive<DeleteStep>(step =>
        {
            if (step.Versions is null)
            {
                ReplyDeletionFailed(replyTo, step.Failure);
                return;
            }

            var doomed = step.Versions
                .Where(v => v.Value.Count > 0 && (delete.GroupVersion is not { } only || v.Key == only))
                .Select(v => v.Key)
                .Order()
                .ToList();
            if (doomed.Count == 0)
            {
                replyTo.Tell(new GroupDeletionRefused(
                    GroupDeletionRefusal.NoPositions,
                    delete.GroupVersion is { } version
                        ? $"group '{_groupName}' version {version} of topic '{_topic}' has no stored positions"
                        : $"group '{_groupName}' of topic '{_topic}' has no stored positions"));
                EndExclusive();
                return;
            }

            Task.WhenAll(doomed.Select(version => Guarded(() => _positions.DeleteAsync(delete.Topic, new GroupId(_groupName, version), CancellationToken.None))))
                .PipeTo(Self, success: () => new DeleteWritten(doomed, null), failure: e => new DeleteWritten(doomed, e));
        });
        Receive<DeleteWritten>(written =>
        {
            if (written.Failure is not null)
            {
                ReplyDeletionFailed(replyTo, written.Failure);
                return;
            }

            foreach (var key in _lastAcks.Keys.Where(k => written.Versions.Contains(k.Version)).ToList())
            {
                _lastAcks.Remove(key);
            }

            _log.Info("Positions of topic {Topic} group {Group} deleted: versions {GroupVersions}", _topic, _groupName, string.Join(", ", written.Versions));
            replyTo.Tell(new GroupPositionsDeleted(written.Versions));
            EndExclusive();
        });
            });
    }

    private void ReplyDeletionFailed(IActorRef replyTo, Exception? failure)
    {
        if (failure is PositionsDeletionUnsupportedException unsupported)
        {
            replyTo.Tell(new GroupDeletionRefused(GroupDeletionRefusal.Unsupported, unsupported.Message));
            EndExclusive();
            return;
        }

        _log.Warning(failure, "Deleting positions of topic {Topic} group {Group} failed", _topic, _groupName);
        replyTo.Tell(new GroupDeletionRefused(
            GroupDeletionRefusal.StorageUnavailable,
            failure is StorageUnavailableException unavailable ? unavailable.Summary : StorageUnavailableException.PositionsSummary));
        EndExclusive();
    }

    /// <summary>
    /// Runs an operation on the positions alone: the ack writes in flight finish first, then <paramref name="start"/>
    /// runs; until <see cref="EndExclusive"/> every other message waits but the operation's own <paramref name="steps"/>.
    /// </summary>
    private void Exclusively(Action start, Action steps)
    {
        Become(() =>
        {
            steps();
            Receive<AckWritten>(OnAckWritten);
            ReceiveAny(_ => Stash.Stash());
        });
        if (_writesInFlight == 0)
        {
            start();
        }
        else
        {
            _whenWritesDone = start;
        }
    }

    // A storage that throws instead of failing its task must not take the coordinator (and its fences) down with it.
    private static Task Guarded(Func<Task> call)
    {
        try
        {
            return call();
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    private static Task<T> Guarded<T>(Func<Task<T>> call)
    {
        try
        {
            return call();
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    private void EndExclusive()
    {
        Become(Coordinating);
        Stash.UnstashAll();
        UpdateIdleTimeout();
    }

    private IActorRef ReplyTo(IGroupCommand command) => command switch
    {
        JoinGroup join => join.Subscriber,
        ClaimPartition claim => claim.Stream,
        _ => Sender,
    };

    // A subscriber on this node has a local address (no host): the node's own cluster address stands for it.
    private string NodeOf(IActorRef subscriber) =>
        (subscriber.Path.Address.HasGlobalScope ? subscriber.Path.Address : ((ExtendedActorSystem)Context.System).Provider.DefaultAddress).ToString();

    private IReadOnlyList<int> PartitionsOf(string sessionId) =>
        Enumerable.Range(0, _owners.Length).Where(p => _owners[p] == sessionId).ToList();

    private void UpdateIdleTimeout()
    {
        Context.SetReceiveTimeout(_members.Count == 0 && _claims.Count == 0 ? _idleTimeout : null);
        if (_members.Count == 0)
        {
            Timers.Cancel(RefreshKey);
        }
        else if (!Timers.IsTimerActive(RefreshKey))
        {
            Timers.StartPeriodicTimer(RefreshKey, RefreshPartitionsNow.Instance, _refreshInterval);
        }
    }

    // One question in flight at a time; storages answer from a short-lived cache, so joins in bursts cost little.
    private void RefreshPartitions()
    {
        if (_refreshing)
        {
            return;
        }

        _refreshing = true;
        _records.GetPartitionCountAsync(_topic, CancellationToken.None)
            .PipeTo(Self, success: count => new PartitionsLearned(count), failure: e => new PartitionsUnknown(e));
    }

    private static void Add(Dictionary<string, List<int>> bySession, string sessionId, int partition)
    {
        if (!bySession.TryGetValue(sessionId, out var partitions))
        {
            bySession[sessionId] = partitions = [];
        }

        partitions.Add(partition);
    }

    private sealed record Member(string SessionId, uint Version, IActorRef Subscriber, string? ClientAddress);

    private sealed record Claim(string SessionId, IActorRef Stream);

    /// <summary>A reset's mark on (version, partition): see the class comment.</summary>
    /// <param name="Target">the position the reset wrote: acks below it were made before</param>
    private sealed class Fence(long epoch, long target)
    {
        public long Epoch { get; } = epoch;

        public long Target { get; } = target;

        /// <summary>The highest offset a stream of the epoch is known to have written to its client.</summary>
        public long DeliveredMax { get; set; } = target - 1;
    }

    private sealed record PendingAck(AckPosition Ack, IActorRef ReplyTo, string AskedSession);

    /// <param name="ReplyTo">every ack the write answers: the one written and those it replaced while they waited</param>
    private sealed record AckWritten((uint Version, int Partition) Key, long Offset, List<IActorRef> ReplyTo, Exception? Failure) : INoSerializationVerificationNeeded;

    /// <summary>Acks of one (version, partition) waiting for its write in flight: the last one came, and who asked.</summary>
    private sealed class QueuedAcks(AckPosition latest, IActorRef replyTo)
    {
        public AckPosition Latest { get; set; } = latest;

        public List<IActorRef> ReplyTo { get; } = [replyTo];
    }

    private sealed record HandoffExpired(int Partition) : INoSerializationVerificationNeeded;

    /// <summary>A revoked partition waiting for its old session's last ack before its next owner is told.</summary>
    /// <param name="StreamSession">the session id the revoked stream read under</param>
    private sealed class Handoff(string streamSession, uint version, Address streamNode)
    {
        public string StreamSession { get; } = streamSession;

        /// <summary>Where the revoked stream ran: a handoff from a node that left the cluster waits for nothing.</summary>
        public Address StreamNode { get; } = streamNode;

        public uint Version { get; } = version;

        /// <summary>The last offset the stream delivered, once it has said (-1: none).</summary>
        public long? Delivered { get; set; }
    }

    private sealed record PendingAcksExpired((uint Version, int Partition) Key) : INoSerializationVerificationNeeded;

    private sealed record ResetStep(IReadOnlyDictionary<int, long>? Stored, Exception? Failure) : INoSerializationVerificationNeeded;

    private sealed record ResetWritten(List<PartitionMove> Moves, Exception? Failure) : INoSerializationVerificationNeeded;

    private sealed record DeleteStep(IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>? Versions, Exception? Failure) : INoSerializationVerificationNeeded;

    private sealed record DeleteWritten(List<uint> Versions, Exception? Failure) : INoSerializationVerificationNeeded;

    private sealed record PartitionsLearned(int Count) : INoSerializationVerificationNeeded;

    private sealed record PartitionsUnknown(Exception Cause) : INoSerializationVerificationNeeded;

    private sealed record RefreshPartitionsNow : INoSerializationVerificationNeeded
    {
        public static readonly RefreshPartitionsNow Instance = new();
    }
}
