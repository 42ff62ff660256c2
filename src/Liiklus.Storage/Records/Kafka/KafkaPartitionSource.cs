using Akka.Streams;
using Akka.Streams.Stage;
using Confluent.Kafka;

namespace Liiklus.Storage.Records.Kafka;

/// <summary>
/// One partition of a Kafka topic from an exact offset on, as a stream: registers a bounded buffer with the consumer
/// pool, pushes what is buffered (one chunk) per pull, and waits to be woken when the buffer is empty. Stopping
/// unassigns the partition. This is the fetch a <see cref="PartitionTailHub"/> shares.
/// </summary>
internal sealed class KafkaPartitionSource(
    KafkaConsumerPool pool,
    TopicPartition topicPartition,
    long startOffset,
    KafkaRecordsOptions options,
    ByteBudget budget)
    : GraphStage<SourceShape<IReadOnlyList<StoredRecord>>>
{
    private readonly Outlet<IReadOnlyList<StoredRecord>> _out = new("kafka-partition.out");
    private readonly KafkaConsumerPool _pool = pool;
    private readonly TopicPartition _topicPartition = topicPartition;
    private readonly long _startOffset = startOffset;
    private readonly KafkaRecordsOptions _options = options;
    private readonly ByteBudget _budget = budget;

    public override SourceShape<IReadOnlyList<StoredRecord>> Shape => new(_out);

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("kafka-partition");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly KafkaPartitionSource _stage;
        private PartitionBuffer? _buffer;

        public Logic(KafkaPartitionSource stage) : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage._out, this);
        }

        public override void PreStart()
        {
            var available = GetAsyncCallback(TryPush);
            var failed = GetAsyncCallback<Exception>(FailStage);
            _buffer = new PartitionBuffer(
                _stage._topicPartition,
                _stage._startOffset,
                _stage._options.ReaderBufferRecords,
                _stage._options.ReaderBufferBytes,
                _stage._budget,
                () => available(),
                cause => failed(cause));
            try
            {
                _stage._pool.Attach(_buffer);
            }
            catch (ObjectDisposedException)
            {
                FailStage(StorageUnavailableException.Records("the Kafka records storage is stopping"));
            }
        }

        public override void OnPull() => TryPush();

        public override void PostStop()
        {
            if (_buffer is not null)
            {
                _stage._pool.Detach(_buffer);
                _buffer.Close();
            }
        }

        private void TryPush()
        {
            if (IsAvailable(_stage._out) && _buffer!.TryTake() is { Length: > 0 } chunk)
            {
                Push(_stage._out, chunk);
            }
        }
    }
}
