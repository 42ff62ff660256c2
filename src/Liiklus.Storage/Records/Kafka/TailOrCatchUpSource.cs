using Akka.Streams;
using Akka.Streams.Stage;
using Confluent.Kafka;

namespace Liiklus.Storage.Records.Kafka;

/// <summary>
/// One stream's records of a Kafka partition. While its next offset is inside the partition's shared tail window, it
/// reads the window (no fetch of its own); when it is behind the window (a start in the past, or a stream too slow for
/// the tail), it catches up through a buffer of its own on the consumer pool and joins the window as soon as its next
/// offset is inside it again. Every switch happens at the exact next offset, so no record is skipped or repeated and
/// the order is kept.
/// </summary>
internal sealed class TailOrCatchUpSource(
    PartitionTails tails,
    KafkaConsumerPool pool,
    TopicPartition topicPartition,
    StartPosition start,
    KafkaRecordsOptions options,
    ByteBudget budget,
    Func<TopicPartition, CancellationToken, Task<long>> earliestOffset)
    : GraphStage<SourceShape<IReadOnlyList<StoredRecord>>>
{
    private readonly Outlet<IReadOnlyList<StoredRecord>> _out = new("tail-or-catch-up.out");
    private readonly PartitionTails _tails = tails;
    private readonly KafkaConsumerPool _pool = pool;
    private readonly TopicPartition _topicPartition = topicPartition;
    private readonly StartPosition _start = start;
    private readonly KafkaRecordsOptions _options = options;
    private readonly ByteBudget _budget = budget;
    private readonly Func<TopicPartition, CancellationToken, Task<long>> _earliestOffset = earliestOffset;

    public override SourceShape<IReadOnlyList<StoredRecord>> Shape => new(_out);

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("tail-or-catch-up");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly TailOrCatchUpSource _stage;
        private PartitionTail? _tail;
        private PartitionBuffer? _catchUp;
        private Action _wake = null!;
        private Action<Exception> _fail = null!;
        private bool _placed;
        private long _sequence;
        private long _nextOffset = -1;

        public Logic(TailOrCatchUpSource stage) : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage._out, this);
        }

        public override void PreStart()
        {
            var wake = GetAsyncCallback(OnWake);
            _wake = () => wake();
            var fail = GetAsyncCallback<Exception>(FailStage);
            _fail = cause => fail(cause);
            _tail = _stage._tails.Join(_stage._topicPartition);
            switch (_stage._start)
            {
                case StartPosition.OffsetPosition at:
                    _nextOffset = Math.Max(at.Offset, 0);
                    Place();
                    break;
                case StartPosition.LatestPosition:
                    Place();
                    break;
                case StartPosition.EarliestPosition when _tail.LogStartSeen is { } logStart:
                    // Known to the partition's tail: no request to the brokers before the first fetch. Should retention
                    // have deleted more since, the consumer's fetch resets to the oldest retained record, as the
                    // lookup would have answered; a window holding the offset still has every record from there on.
                    _nextOffset = logStart;
                    Place();
                    break;
                default:
                    var placed = GetAsyncCallback<long>(offset =>
                    {
                        _tail!.SawLogStart(offset);
                        _nextOffset = offset;
                        Place();
                        Deliver();
                    });
                    _stage._earliestOffset(_stage._topicPartition, CancellationToken.None)
                        .ContinueWith(
                            t =>
                            {
                                if (t.IsCompletedSuccessfully)
                                {
                                    placed(t.Result); // completed: reading it does not wait
                                }
                                else
                                {
                                    _fail(t.Exception?.GetBaseException() ?? new TaskCanceledException());
                                }
                            },
                            TaskScheduler.Default);
                    break;
            }
        }

        public override void OnPull() => Deliver();

        public override void PostStop()
        {
            StopCatchingUp();
            if (_tail is not null)
            {
                _tail.Forget(_wake);
                _stage._tails.Leave(_tail);
            }
        }

        private void OnWake()
        {
            if (!_placed)
            {
                Place();
            }

            Deliver();
        }

        /// <summary>Decides where the stream reads from at its start: the shared window or a buffer of its own.</summary>
        private void Place()
        {
            if (_nextOffset < 0 && _stage._start is StartPosition.LatestPosition)
            {
                switch (_tail!.JoinAtEnd(_wake, out _sequence, out var end))
                {
                    case JoinResult.Joined:
                        _nextOffset = end;
                        _placed = true;
                        break;
                    case JoinResult.Failed:
                        ReadTail();
                        break;
                }

                return;
            }

            if (_nextOffset < 0)
            {
                return;
            }

            switch (_tail!.Join(_nextOffset, _wake, out _sequence))
            {
                case JoinResult.Joined:
                    _placed = true;
                    break;
                case JoinResult.Outside:
                    _placed = true;
                    CatchUp();
                    break;
                case JoinResult.Failed:
                    ReadTail();
                    break;
            }
        }

        private void Deliver()
        {
            if (!_placed || !IsAvailable(_stage._out))
            {
                return;
            }

            if (_catchUp is not null)
            {
                DeliverCaughtUp();
            }
            else
            {
                ReadTail();
            }
        }

        private void ReadTail()
        {
            StoredRecord[]? chunk;
            try
            {
                chunk = _tail!.Read(ref _sequence, ChunkBounds.MaxRecords, _wake);
            }
            catch (Exception e)
            {
                FailStage(e);
                return;
            }

            if (chunk is null)
            {
                // Too slow for the window: its next record was evicted.
                CatchUp();
                DeliverCaughtUp();
            }
            else if (chunk.Length > 0)
            {
                Push(chunk);
            }
        }

        private void DeliverCaughtUp()
        {
            // Back inside the window: the records the buffer holds are the window's too, read there instead.
            switch (_tail!.Join(_nextOffset, _wake, out var sequence))
            {
                case JoinResult.Joined:
                    StopCatchingUp();
                    _sequence = sequence;
                    ReadTail();
                    return;
                case JoinResult.Failed:
                    // Reading the failed window fails the stream with the hub's cause.
                    ReadTail();
                    return;
            }

            var chunk = _catchUp!.TryTake();
            if (chunk.Length > 0)
            {
                // The chunk is every record from the next offset on: other readers behind the window may read it there.
                _tail.Prepend(_nextOffset, chunk);
                Push(chunk);
                return;
            }

            if (_catchUp.Evicted)
            {
                // Its consumer slot went to another reader while this stream was not reading: fetch again from here.
                AttachCatchUp();
            }

            // Woken by its own buffer, or by the window's next append, whichever comes first.
            _tail.WakeOnAppend(_wake);
        }

        private void CatchUp()
        {
            _catchUp = new PartitionBuffer(
                _stage._topicPartition,
                _nextOffset,
                _stage._options.ReaderBufferRecords,
                _stage._options.ReaderBufferBytes,
                _stage._budget,
                _wake,
                _fail)
            {
                Evictable = true,
            };
            AttachCatchUp();
        }

        private void AttachCatchUp()
        {
            try
            {
                _stage._pool.Attach(_catchUp!);
            }
            catch (ObjectDisposedException)
            {
                FailStage(StorageUnavailableException.Records("the Kafka records storage is stopping"));
            }
        }

        private void StopCatchingUp()
        {
            if (_catchUp is not null)
            {
                _stage._pool.Detach(_catchUp);
                _catchUp.Close();
                _catchUp = null;
            }
        }

        private void Push(StoredRecord[] chunk)
        {
            _nextOffset = chunk[^1].Offset + 1;
            Push(_stage._out, chunk);
        }
    }
}
