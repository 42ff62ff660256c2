using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using Liiklus.Actors.Groups;
using Liiklus.Actors.Sessions;
using Liiklus.Storage;

namespace Liiklus.Actors.Subscriptions;

/// <summary>
/// One Subscribe call: a member of its group for as long as the call lasts. Writes each partition it is
/// assigned to <c>assignments</c> (the gRPC stream drains it) and re-joins when its coordinator moves.
/// </summary>
public sealed class SubscriptionActor : ReceiveActor, IWithTimers
{
    private const string JoinRetryKey = "join-retry";
    private static readonly TimeSpan JoinRetryInterval = TimeSpan.FromSeconds(1);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SessionToken _session;
    private readonly string _sessionId;
    private readonly IActorRef _groups;
    private readonly ChannelWriter<int> _assignments;
    private readonly HashSet<int> _owned = [];
    private IActorRef? _coordinator;

    public SubscriptionActor(SessionToken session, IActorRef groups, ChannelWriter<int> assignments)
    {
        _session = session;
        _sessionId = session.Encode();
        _groups = groups;
        _assignments = assignments;

        Receive<PartitionsAssigned>(assigned =>
        {
            Timers.Cancel(JoinRetryKey);
            WatchCoordinator(Sender);
            foreach (var partition in assigned.Partitions.Where(_owned.Add))
            {
                if (!_assignments.TryWrite(partition))
                {
                    // The client has not read its Subscribe stream for a whole buffer of assignments.
                    Fail(new InvalidOperationException("subscription stopped reading its assignments"));
                    return;
                }
            }
        });
        Receive<PartitionsRevoked>(revoked =>
        {
            WatchCoordinator(Sender);
            _owned.ExceptWith(revoked.Partitions);
        });
        Receive<RetryJoin>(_ => Join());
        Receive<GroupUnavailable>(unavailable =>
            Fail(new StorageUnavailableException($"group '{_session.Group.Name}' of topic '{_session.Topic}' is unavailable: {unavailable.Reason}")));
        Receive<Terminated>(terminated =>
        {
            if (terminated.ActorRef.Equals(_coordinator))
            {
                // Its coordinator moved (hand-over or node loss), taking every Receive stream of this session with
                // it: join the new one and announce whatever it assigns, even partitions held before.
                _log.Info("Coordinator of session {0} ended; joining again", _sessionId);
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

    public static Props Props(SessionToken session, IActorRef groups, ChannelWriter<int> assignments) =>
        Akka.Actor.Props.Create(() => new SubscriptionActor(session, groups, assignments));

    protected override void PreStart() => Join();

    protected override void PostStop() => _assignments.TryComplete();

    // A join sent while the coordinator's shard moves between nodes can be lost: repeat it until answered.
    private void Join()
    {
        _groups.Tell(new JoinGroup(_session.Topic, _session.Group.Name, _sessionId, Self));
        Timers.StartSingleTimer(JoinRetryKey, RetryJoin.Instance, JoinRetryInterval);
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
}

internal sealed record RetryJoin
{
    public static readonly RetryJoin Instance = new();
}

/// <summary>The Subscribe call ended (client gone or gateway stopping): leave the group.</summary>
public sealed record EndSubscription
{
    public static readonly EndSubscription Instance = new();

    private EndSubscription()
    {
    }
}
