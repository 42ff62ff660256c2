using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using Liiklus.Actors.Groups;
using Liiklus.Actors.Sessions;
using Liiklus.Storage;

namespace Liiklus.Actors.Subscriptions;

/// <summary>
/// One Subscribe call: a member of its group for as long as the call lasts. Writes each partition it is assigned to
/// <c>assignments</c> (the call drains it) and joins again when its coordinator moves. A join that no coordinator
/// answers within the join timeout ends the subscription as unavailable, so the client subscribes again.
/// </summary>
internal sealed class SubscriptionActor : ReceiveActor, IWithTimers
{
    private const string JoinRetryKey = "join-retry";
    private const string JoinTimeoutKey = "join-timeout";
    private static readonly TimeSpan FirstJoinRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestJoinRetry = TimeSpan.FromSeconds(2);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SessionToken _session;
    private readonly string _sessionId;
    private readonly IActorRef _groups;
    private readonly ChannelWriter<AssignedPartition> _assignments;
    private readonly TimeSpan _joinTimeout;
    private readonly string? _clientAddress;
    private readonly HashSet<int> _owned = [];
    private IActorRef? _coordinator;
    private TimeSpan _joinRetry = FirstJoinRetry;

    public SubscriptionActor(
        SessionToken session,
        string sessionId,
        IActorRef groups,
        ChannelWriter<AssignedPartition> assignments,
        TimeSpan joinTimeout,
        string? clientAddress = null)
    {
        _clientAddress = clientAddress;
        _session = session;
        _sessionId = sessionId;
        _groups = groups;
        _assignments = assignments;
        _joinTimeout = joinTimeout;

        Receive<PartitionsAssigned>(assigned =>
        {
            Timers.Cancel(JoinRetryKey);
            Timers.Cancel(JoinTimeoutKey);
            _joinRetry = FirstJoinRetry;
            WatchCoordinator(Sender);
            for (var index = 0; index < assigned.Partitions.Count; index++)
            {
                var partition = assigned.Partitions[index];
                if (!_owned.Add(partition))
                {
                    continue;
                }

                var epoch = assigned.EpochOf(index);
                var sessionId = epoch == 0 ? _sessionId : (_session with { Epoch = epoch }).Encode();
                if (!_assignments.TryWrite(new AssignedPartition(sessionId, partition)))
                {
                    Fail(new AssignmentsNotReadException(_sessionId));
                    return;
                }
            }
        });
        Receive<PartitionsRevoked>(revoked =>
        {
            WatchCoordinator(Sender);
            _owned.ExceptWith(revoked.Partitions);
        });
        Receive<RetryJoin>(_ =>
        {
            // Backing off: while a coordinator moves between nodes, each retry is a message the cluster has to route.
            _joinRetry = TimeSpan.FromTicks(Math.Min(_joinRetry.Ticks * 2, LongestJoinRetry.Ticks));
            SendJoin();
        });
        Receive<JoinTimedOut>(_ => Fail(new CoordinatorUnavailableException(
            $"no coordinator of group '{_session.Group.Name}' of topic '{_session.Topic}' answered within {_joinTimeout}")));
        // The coordinator could not learn the topic's partitions from the records storage.
        Receive<GroupUnavailable>(unavailable => Fail(StorageUnavailableException.Records(
            $"group '{_session.Group.Name}' of topic '{_session.Topic}' is unavailable: {unavailable.Reason}")));
        Receive<Terminated>(terminated =>
        {
            if (terminated.ActorRef.Equals(_coordinator))
            {
                // Its coordinator moved (hand-over or node loss), taking every Receive stream of this session with
                // it: join the new one and announce whatever it assigns, even partitions held before.
                _log.Info("Coordinator of topic {Topic} group {Group} ended; joining again", _session.Topic, _session.Group.Name);
                _coordinator = null;
                _owned.Clear();
                Join();
            }
        });
        Receive<EndSubscription>(_ =>
        {
            _groups.Tell(new LeaveGroup(_session.Topic, _session.Group.Name, _sessionId));
            Context.Stop(Self);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(
        SessionToken session,
        string sessionId,
        IActorRef groups,
        ChannelWriter<AssignedPartition> assignments,
        TimeSpan joinTimeout,
        string? clientAddress = null) =>
        Akka.Actor.Props.Create(() => new SubscriptionActor(session, sessionId, groups, assignments, joinTimeout, clientAddress));

    protected override void PreStart() => Join();

    // Its supervisor stops a subscription that throws rather than restart it: the call ends with the failure, not
    // with the clean end a client takes for a subscription closed on purpose.
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        catch (Exception e)
        {
            _assignments.TryComplete(e);
            throw;
        }
    }

    protected override void PostStop() => _assignments.TryComplete();

    private void Join()
    {
        Timers.StartSingleTimer(JoinTimeoutKey, JoinTimedOut.Instance, _joinTimeout);
        SendJoin();
    }

    // A join sent while the coordinator's shard moves between nodes can be lost: repeat it until answered.
    private void SendJoin()
    {
        _groups.Tell(new JoinGroup(_session.Topic, _session.Group.Name, _sessionId, Self, _clientAddress));
        Timers.StartSingleTimer(JoinRetryKey, RetryJoin.Instance, _joinRetry);
    }

    private void WatchCoordinator(IActorRef coordinator)
    {
        if (!coordinator.Equals(_coordinator))
        {
            if (_coordinator is not null)
            {
                Context.Unwatch(_coordinator);
            }

            _coordinator = coordinator;
            Context.Watch(coordinator);
        }
    }

    private void Fail(Exception cause)
    {
        _assignments.TryComplete(cause);
        _groups.Tell(new LeaveGroup(_session.Topic, _session.Group.Name, _sessionId));
        Context.Stop(Self);
    }

    private sealed record RetryJoin : INoSerializationVerificationNeeded
    {
        public static readonly RetryJoin Instance = new();
    }

    private sealed record JoinTimedOut : INoSerializationVerificationNeeded
    {
        public static readonly JoinTimedOut Instance = new();
    }
}
