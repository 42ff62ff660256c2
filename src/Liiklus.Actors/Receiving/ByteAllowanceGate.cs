using Akka.Streams;
using Akka.Streams.Stage;
using Liiklus.Storage.Records;

namespace Liiklus.Actors.Receiving;

/// <summary>
/// Lets records into the rest of a Receive stream only once their bytes are taken from the stream's
/// <see cref="StreamByteAllowance"/>; until then it back-pressures the storage, so what a slow client holds is bounded
/// in bytes, whatever the record sizes. A chunk that does not fit whole is let through in parts (a record at least).
/// When upstream completes, what it holds still goes through.
/// </summary>
internal sealed class ByteAllowanceGate(StreamByteAllowance allowance) : GraphStage<FlowShape<IReadOnlyList<StoredRecord>, ChargedChunk>>
{
    private readonly Inlet<IReadOnlyList<StoredRecord>> _in = new("byte-allowance-gate.in");
    private readonly Outlet<ChargedChunk> _out = new("byte-allowance-gate.out");
    private readonly StreamByteAllowance _allowance = allowance;

    public override FlowShape<IReadOnlyList<StoredRecord>, ChargedChunk> Shape => new(_in, _out);

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("byte-allowance-gate");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly ByteAllowanceGate _gate;
        private Action _wake = null!;
        private IReadOnlyList<StoredRecord>? _pending;
        private bool _upstreamDone;

        public Logic(ByteAllowanceGate gate) : base(gate.Shape)
        {
            _gate = gate;
            SetHandler(gate._in, this);
            SetHandler(gate._out, this);
        }

        public override void PreStart()
        {
            var wake = GetAsyncCallback(TryEmit);
            _wake = () => wake();
        }

        public override void OnPush()
        {
            _pending = Grab(_gate._in);
            TryEmit();
        }

        public override void OnPull()
        {
            if (_pending is null)
            {
                if (!_upstreamDone && !HasBeenPulled(_gate._in))
                {
                    Pull(_gate._in);
                }

                return;
            }

            TryEmit();
        }

        public override void OnUpstreamFinish()
        {
            _upstreamDone = true;
            if (_pending is null)
            {
                CompleteStage();
            }
        }

        private void TryEmit()
        {
            if (_pending is not { } records)
            {
                // Woken for bytes it no longer needs (what it waited for went through otherwise): they go back.
                _gate._allowance.ReturnGranted();
                return;
            }

            if (!IsAvailable(_gate._out))
            {
                return;
            }

            // The longest prefix the stream's bound takes; its first record alone when nothing fits.
            var room = _gate._allowance.Room;
            var count = 0;
            long bytes = 0;
            while (count < records.Count)
            {
                var size = records[count].SizeInBytes;
                if (count > 0 && bytes + size > room)
                {
                    break;
                }

                bytes += size;
                count++;
            }

            if (!_gate._allowance.TryTake(bytes))
            {
                _gate._allowance.WakeWhenRoomFor(bytes, _wake);
                return;
            }

            _pending = count == records.Count ? null : records.Skip(count).ToArray();
            Push(_gate._out, new ChargedChunk(count == records.Count ? records : records.Take(count).ToArray(), bytes));
            if (_pending is null && _upstreamDone)
            {
                CompleteStage();
            }
        }
    }
}
