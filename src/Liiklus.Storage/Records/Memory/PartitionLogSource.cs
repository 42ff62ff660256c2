using Akka.Streams;
using Akka.Streams.Stage;

namespace Liiklus.Storage.Records.Memory;

/// <summary>
/// Tails a <see cref="PartitionLog"/>: each pull gets the records at hand (read under one lock) and, at the end
/// of the log, waits to be woken by the next append instead of polling.
/// </summary>
internal sealed class PartitionLogSource(PartitionLog log, StartPosition start) : GraphStage<SourceShape<IReadOnlyList<StoredRecord>>>
{
    private readonly Outlet<IReadOnlyList<StoredRecord>> _out = new("partition-log.out");
    private readonly PartitionLog _log = log;
    private readonly StartPosition _start = start;

    public override SourceShape<IReadOnlyList<StoredRecord>> Shape => new(_out);

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly PartitionLogSource _stage;
        private Action? _wake;
        private long _nextOffset;

        public Logic(PartitionLogSource stage) : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage._out, this);
        }

        public override void PreStart()
        {
            _nextOffset = _stage._log.Resolve(_stage._start);
            var onAppend = GetAsyncCallback(TryPush);
            _wake = () => onAppend();
        }

        public override void OnPull() => TryPush();

        public override void PostStop()
        {
            if (_wake is not null)
            {
                _stage._log.StopWaiting(_wake);
            }
        }

        private void TryPush()
        {
            if (!IsAvailable(_stage._out))
            {
                return;
            }

            var chunk = _stage._log.ReadOrWait(_nextOffset, ChunkBounds.MaxRecords, _wake!);
            if (chunk.Length > 0)
            {
                _nextOffset = chunk[^1].Offset + 1;
                Push(_stage._out, chunk);
            }
        }
    }
}
