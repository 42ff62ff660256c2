using Akka.Streams;
using Akka.Streams.Stage;
using Liiklus.Storage.Records;

namespace Liiklus.Actors.Receiving;

/// <summary>
/// Lets a chunk of records into the rest of a Receive stream only once its bytes are taken from the stream's
/// <see cref="StreamByteAllowance"/>; until then it back-pressures the storage, so what a slow client holds is bounded
/// in bytes, whatever the record sizes. When upstream completes, the chunk it holds still goes through.
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
        private ChargedChunk? _pending;
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
            var records = Grab(_gate._in);
            long bytes = 0;
            for (var i = 0; i < records.Count; i++)
            {
                bytes += records[i].SizeInBytes;
            }

            _pending = new ChargedChunk(records, bytes);
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
            if (_pending is not { } chunk || !IsAvailable(_gate._out))
            {
                return;
            }

            if (!_gate._allowance.TryTake(chunk.Bytes))
            {
                _gate._allowance.WakeWhenRoomFor(chunk.Bytes, _wake);
                return;
            }

            _pending = null;
            Push(_gate._out, chunk);
            if (_upstreamDone)
            {
                CompleteStage();
            }
        }
    }
}
