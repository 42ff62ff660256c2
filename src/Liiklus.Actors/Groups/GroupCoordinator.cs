using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Liiklus.Actors.Telemetry;
using Liiklus.Storage.Records;

namespace Liiklus.Actors.Groups;

/// <summary>
/// The sharded entity of one (topic, group name): knows the topic's partitions and the live subscriptions of
/// every version of the name, gives each partition to exactly one subscription, rebalances stickily when
/// members come and go (found out by death watch) or the topic gains partitions (asked when a member joins and
/// on a timer while it has members), and tells each claimed Receive stream when its partition leaves its session.
/// </summary>
public sealed class GroupCoordinator : ReceiveActor, IWithStash, IWithTimers
{
    private const string RefreshKey = "refresh-partitions";
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IRecordsStorage _records;
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
    public GroupCoordinator(IRecordsStorage records, TimeSpan idleTimeout, TimeSpan refreshInterval, GroupTelemetry? telemetry = null)
    {
        _records = records;
        _idleTimeout = idleTimeout;
        _refreshInterval = refreshInterval;
        _telemetry = telemetry;
        LearningPartitions();
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IRecordsStorage records, TimeSpan idleTimeout, TimeSpan refreshInterval, GroupTelemetry? telemetry = null) =>
        Akka.Actor.Props.Create(() => new GroupCoordinator(records, idleTimeout, refreshInterval, telemetry));

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
                _members.Add(new Member(join.SessionId, join.Subscriber, join.ClientAddress));
            }

            Context.Watch(join.Subscriber);
            _telemetry?.Joined(_topic, _groupName, join.SessionId);
            Rebalance(joiner: join.SessionId);
            // Every join is answered with the session's whole share, even an empty one: it acknowledges a join
            // that may have been retried, and subscribers ignore partitions they already hold.
            join.Subscriber.Tell(new PartitionsAssigned(join.SessionId, PartitionsOf(join.SessionId)));
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
            _members.ToDictionary(m => m.SessionId, m => PartitionsOf(m.SessionId)),
            _members.ToDictionary(m => m.SessionId, m => NodeOf(m.Subscriber)),
            _members.Where(m => m.ClientAddress is not null).ToDictionary(m => m.SessionId, m => m.ClientAddress!))));
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
            Receive<IGroupCommand>(command => Context.Parent.Forward(command));
            ReceiveAny(_ => { });
        });
    }

    private void OnClaim(ClaimPartition claim)
    {
        using var span = CoordinatorTracing.Start("claim", _topic, _groupName);
        span?.SetTag("liiklus.partition", claim.Partition);
        if (_members.All(m => m.SessionId != claim.SessionId))
        {
            claim.Stream.Tell(new SessionUnknown(claim.SessionId));
            span?.SetTag("liiklus.claim.result", "session_unknown");
            _telemetry?.Claimed("session_unknown");
            return;
        }

        if (claim.Partition < 0 || claim.Partition >= _owners.Length || _owners[claim.Partition] != claim.SessionId)
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
                }
            }

            if (after is not null)
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
                member.Subscriber.Tell(new PartitionsAssigned(member.SessionId, gained));
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

    private sealed record Member(string SessionId, IActorRef Subscriber, string? ClientAddress);

    private sealed record Claim(string SessionId, IActorRef Stream);

    private sealed record PartitionsLearned(int Count) : INoSerializationVerificationNeeded;

    private sealed record PartitionsUnknown(Exception Cause) : INoSerializationVerificationNeeded;

    private sealed record RefreshPartitionsNow : INoSerializationVerificationNeeded
    {
        public static readonly RefreshPartitionsNow Instance = new();
    }
}
