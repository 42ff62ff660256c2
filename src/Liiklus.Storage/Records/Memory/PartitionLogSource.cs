using Akka.Streams;
using Akka.Streams.Stage;

namespace Liiklus.Storage.Records.Memory;

/// <summary>
/// Tails a <see cref="PartitionLog"/>: pushes one record per pull and, at the end of the log, waits to be
/// woken by the next append instead of polling.
/// </summary>
internal sealed class PartitionLogSource(PartitionLog log, StartPosition start) : GraphStage<SourceShape<StoredRecord>>
{
    private readonly Outlet<StoredRecord> _out = new("partition-log.out");
    private readonly PartitionLog _log = log;
    private readonly StartPosition _start = start;

    public override SourceShape<StoredRecord> Shape => new(_out);

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : OutGraphStageLogic
    {
        // Records taken from the log under one lock and pushed one per pull: a small, fixed read-ahead.
        private const int ReadAhead = 32;
        private readonly PartitionLogSource _stage;
        private readonly StoredRecord[] _readAhead = new StoredRecord[ReadAhead];
        private int _readAheadCount;
        private int _readAheadNext;
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

            if (_readAheadNext == _readAheadCount)
            {
                Array.Clear(_readAhead, 0, _readAheadCount);
                _readAheadCount = _stage._log.ReadOrWait(_nextOffset, _readAhead, _wake!);
                _readAheadNext = 0;
                if (_readAheadCount == 0)
                {
                    return;
                }
            }

            var record = _readAhead[_readAheadNext++];
            _nextOffset = record.Offset + 1;
            Push(_stage._out, record);
        }
    }
}
