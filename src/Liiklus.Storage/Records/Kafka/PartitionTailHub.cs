using Akka.Streams;
using Akka.Streams.Stage;

namespace Liiklus.Storage.Records.Kafka;

/// <summary>
/// The sink end of one topic-partition's shared fetch: appends every chunk of the partition's tail to its
/// <see cref="PartitionTail"/> as fast as Kafka gives them, never waiting for the readers (a reader too slow for the
/// window drops out of it and catches up on its own). When the tail has had no member for the idle timeout, the hub
/// stops, which stops the fetch.
/// </summary>
internal sealed class PartitionTailHub(PartitionTail tail, PartitionTails registry, TimeSpan idleTimeout)
    : GraphStage<SinkShape<IReadOnlyList<StoredRecord>>>
{
    private readonly Inlet<IReadOnlyList<StoredRecord>> _in = new("partition-tail.in");
    private readonly PartitionTail _tail = tail;
    private readonly PartitionTails _registry = registry;
    private readonly TimeSpan _idleTimeout = idleTimeout;

    public override SinkShape<IReadOnlyList<StoredRecord>> Shape => new(_in);

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("partition-tail-hub");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : TimerGraphStageLogic, IInHandler
    {
        private const string IdleTimer = "idle";
        private readonly PartitionTailHub _hub;

        public Logic(PartitionTailHub hub) : base(hub.Shape)
        {
            _hub = hub;
            SetHandler(hub._in, this);
        }

        public override void PreStart()
        {
            var idle = GetAsyncCallback(() => ScheduleOnce(IdleTimer, _hub._idleTimeout));
            _hub._tail.OnIdle = () => idle();
            if (_hub._registry.IsIdle(_hub._tail))
            {
                ScheduleOnce(IdleTimer, _hub._idleTimeout);
            }

            Pull(_hub._in);
        }

        public void OnPush()
        {
            _hub._tail.Append(Grab(_hub._in));
            Pull(_hub._in);
        }

        // The restarting fetch ends only when its restarts ran out, or when the storage stops.
        public void OnUpstreamFinish() =>
            Failed(_hub._tail.LastFetchFailure ?? StorageUnavailableException.Records($"the shared fetch of {_hub._tail.TopicPartition} ended"));

        public void OnUpstreamFailure(Exception e) => Failed(e);

        protected override void OnTimer(object timerKey)
        {
            if (_hub._registry.TryRemoveIdle(_hub._tail))
            {
                CompleteStage();
            }
        }

        public override void PostStop()
        {
            _hub._tail.OnIdle = null;
            _hub._registry.Stopped(_hub._tail);
            _hub._tail.Clear();
        }

        private void Failed(Exception cause)
        {
            _hub._tail.Fail(cause);
            FailStage(cause);
        }
    }
}
