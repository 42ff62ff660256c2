using System.Threading.Channels;
using Akka;
using Akka.Streams;
using Akka.Streams.Stage;
using Liiklus.Storage.Records;

namespace Liiklus.Actors.Receiving;

/// <summary>
/// The end of a Receive stream, in one stage: lets the storage's chunks in only once their bytes are taken from the
/// stream's <see cref="StreamByteAllowance"/> (as a <see cref="ByteAllowanceGate"/> does: until then it back-pressures
/// the storage; a chunk that does not fit whole goes in parts, a record at least), gathers what was let in into one
/// <see cref="ReceivedBatch"/> while the call is still busy with the one before, and hands batches to the call's
/// channel. Upstream completing lets what it holds through; its materialized task completes once the stage has ended
/// (faulted with the stream's failure).
/// <para>
/// Given <c>restAfter</c>, a stream that holds nothing and got no records from the storage for that long comes to
/// rest: it cancels the storage and ends with the offset it would read next, the answer of its materialized task (-1
/// when it ended otherwise), so that its owner can let go of the whole graph and start another from there once the
/// storage has records again. Only a stream that has read a record rests: before it, it does not know its offset (a
/// start the storage resolves), and a storage still catching up to where it was woken is not idle.
/// </para>
/// One stage instead of a gate, a map, a batch, a termination watch and a channel
/// sink: a node holds tens of thousands of idle Receive streams, and each stage costs every one of them its logic,
/// module and connections.
/// </summary>
internal sealed class ReceiveBatchSink(
    StreamByteAllowance allowance,
    ChannelWriter<ReceivedBatch> batches,
    long replayUntil,
    TimeSpan? restAfter)
    : GraphStageWithMaterializedValue<SinkShape<IReadOnlyList<StoredRecord>>, Task<long>>
{
    /// <summary>What the materialized task answers for a stream that ended without coming to rest.</summary>
    public const long NotAtRest = -1;

    private readonly Inlet<IReadOnlyList<StoredRecord>> _in = new("receive-batch-sink.in");
    private readonly StreamByteAllowance _allowance = allowance;
    private readonly ChannelWriter<ReceivedBatch> _batches = batches;
    private readonly long _replayUntil = replayUntil;
    private readonly TimeSpan? _restAfter = restAfter;

    public override SinkShape<IReadOnlyList<StoredRecord>> Shape => new(_in);

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("receive-batch-sink");

    public override ILogicAndMaterializedValue<Task<long>> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var ended = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        return new LogicAndMaterializedValue<Task<long>>(new Logic(this, ended), ended.Task);
    }

    private sealed class Logic : TimerGraphStageLogic, IInHandler
    {
        private const string RestTimer = "rest";
        private readonly ReceiveBatchSink _sink;
        private readonly TaskCompletionSource<long> _ended;
        private Action _wake = null!;
        private Action<bool> _writable = null!;
        private Action<Exception> _writeFailed = null!;
        // Records taken from upstream whose bytes the allowance has not granted yet.
        private IReadOnlyList<StoredRecord>? _pending;
        // Records let in, not yet in the channel.
        private ReceivedBatch? _batch;
        private bool _waitingForRoom;
        private bool _upstreamDone;
        private bool _finished;
        // The offset after the last record the storage gave: where the stream would rest.
        private long _nextOffset = NotAtRest;
        private bool _pushedSinceTimer;

        public Logic(ReceiveBatchSink sink, TaskCompletionSource<long> ended) : base(sink.Shape)
        {
            _sink = sink;
            _ended = ended;
            SetHandler(sink._in, this);
        }

        public override void PreStart()
        {
            var wake = GetAsyncCallback(LetIn);
            _wake = () => wake();
            _writable = GetAsyncCallback<bool>(OnWritable);
            _writeFailed = GetAsyncCallback<Exception>(Fail);
            if (_sink._restAfter is { } restAfter)
            {
                // One timer for the stream's life, not one per record: it rests between one and two periods after its
                // last record.
                ScheduleRepeatedly(RestTimer, restAfter);
            }

            Pull(_sink._in);
        }

        public void OnPush()
        {
            var chunk = Grab(_sink._in);
            if (chunk.Count > 0)
            {
                _nextOffset = chunk[^1].Offset + 1;
            }

            _pushedSinceTimer = true;
            _pending = chunk;
            LetIn();
        }

        public void OnUpstreamFinish()
        {
            _upstreamDone = true;
            CompleteWhenDone();
        }

        public void OnUpstreamFailure(Exception e) => Fail(e);

        protected override void OnTimer(object timerKey)
        {
            if (_pushedSinceTimer)
            {
                _pushedSinceTimer = false;
                return;
            }

            if (_nextOffset == NotAtRest || _upstreamDone || _pending is not null || _batch is not null || _waitingForRoom)
            {
                return;
            }

            // At the tail with nothing in hand: rest, with nothing to let through.
            Cancel(_sink._in);
            Finish(_nextOffset);
        }

        public override void PostStop()
        {
            if (!_finished)
            {
                _ended.TrySetException(new AbruptStageTerminationException(this));
            }
        }

        private void LetIn()
        {
            if (_pending is not { } records)
            {
                // Woken for bytes it no longer needs (what it waited for went through otherwise): they go back.
                _sink._allowance.ReturnGranted();
                return;
            }

            // The longest prefix the stream's bound takes; its first record alone when nothing fits.
            var room = _sink._allowance.Room;
            var count = 0;
            long bytes = 0;
            while (count < records.Count && (count == 0 || bytes + records[count].SizeInBytes <= room))
            {
                bytes += records[count].SizeInBytes;
                count++;
            }

            if (!_sink._allowance.TryTake(bytes))
            {
                _sink._allowance.WakeWhenRoomFor(bytes, _wake);
                return;
            }

            _pending = count == records.Count ? null : records.Skip(count).ToArray();
            var taken = count == records.Count ? records : records.Take(count).ToArray();
            // While the client is slower than the storage, chunks gather into one batch that crosses to the call
            // whole: one hand-over and one flush for many records instead of one each. The allowance bounds it.
            _batch = _batch is null ? new ReceivedBatch(taken, bytes, _sink._replayUntil) : _batch.Append(taken, bytes);
            Write();
            if (_pending is not null)
            {
                LetIn();
                return;
            }

            if (!_upstreamDone && !HasBeenPulled(_sink._in))
            {
                Pull(_sink._in);
            }

            CompleteWhenDone();
        }

        private void Write()
        {
            if (_batch is null || _waitingForRoom)
            {
                return;
            }

            if (_sink._batches.TryWrite(_batch))
            {
                _batch = null;
                return;
            }

            _waitingForRoom = true;
            var writable = _sink._batches.WaitToWriteAsync();
            if (writable.IsCompletedSuccessfully)
            {
                OnWritable(writable.Result);
                return;
            }

            writable.AsTask().ContinueWith(
                (task, state) =>
                {
                    var logic = (Logic)state!;
                    if (task.IsCompletedSuccessfully)
                    {
                        logic._writable(task.Result);
                    }
                    else
                    {
                        logic._writeFailed(task.Exception?.GetBaseException() ?? new TaskCanceledException());
                    }
                },
                this,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        private void OnWritable(bool open)
        {
            _waitingForRoom = false;
            if (!open)
            {
                // The channel was completed: the stream's actor has ended it, nobody takes the rest.
                Finish(NotAtRest);
                return;
            }

            Write();
            CompleteWhenDone();
        }

        private void CompleteWhenDone()
        {
            if (_upstreamDone && _pending is null && _batch is null && !_waitingForRoom)
            {
                Finish(NotAtRest);
            }
        }

        private void Finish(long restingAt)
        {
            if (_finished)
            {
                return;
            }

            _finished = true;
            _ended.TrySetResult(restingAt);
            CompleteStage();
        }

        private void Fail(Exception cause)
        {
            if (_finished)
            {
                return;
            }

            _finished = true;
            _ended.TrySetException(cause);
            FailStage(cause);
        }
    }
}
