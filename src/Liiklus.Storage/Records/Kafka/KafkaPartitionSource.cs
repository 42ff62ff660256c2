using Akka.Streams;
using Akka.Streams.Stage;
using Confluent.Kafka;

namespace Liiklus.Storage.Records.Kafka;

/// <summary>
/// One partition of a Kafka topic as a stream: registers a bounded reader with the consumer pool, pushes what is
/// buffered (one chunk) per pull, and waits to be woken when the buffer is empty. Stopping unassigns the partition.
/// </summary>
internal sealed class KafkaPartitionSource(KafkaConsumerPool pool, TopicPartition topicPartition, StartPosition start, KafkaRecordsOptions options)
    : GraphStage<SourceShape<IReadOnlyList<StoredRecord>>>
{
    private readonly Outlet<IReadOnlyList<StoredRecord>> _out = new("kafka-partition.out");
    private readonly KafkaConsumerPool _pool = pool;
    private readonly TopicPartition _topicPartition = topicPartition;
    private readonly StartPosition _start = start;
    private readonly KafkaRecordsOptions _options = options;

    public override SourceShape<IReadOnlyList<StoredRecord>> Shape => new(_out);

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("kafka-partition");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly KafkaPartitionSource _stage;
        private PartitionReader? _reader;

        public Logic(KafkaPartitionSource stage) : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage._out, this);
        }

        public override void PreStart()
        {
            var available = GetAsyncCallback(TryPush);
            var failed = GetAsyncCallback<Exception>(FailStage);
            _reader = new PartitionReader(
                _stage._topicPartition,
                _stage._start,
                _stage._options.ReaderBufferRecords,
                _stage._options.ReaderBufferBytes,
                () => available(),
                cause => failed(cause));
            _stage._pool.Attach(_reader);
        }

        public override void OnPull() => TryPush();

        public override void PostStop()
        {
            if (_reader is not null)
            {
                _stage._pool.Detach(_reader);
            }
        }

        private void TryPush()
        {
            if (IsAvailable(_stage._out) && _reader!.TryTake() is { Length: > 0 } chunk)
            {
                Push(_stage._out, chunk);
            }
        }
    }
}
