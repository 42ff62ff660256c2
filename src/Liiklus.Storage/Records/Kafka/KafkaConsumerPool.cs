using Confluent.Kafka;

namespace Liiklus.Storage.Records.Kafka;

/// <summary>
/// The node's Kafka consumers, shared by every partition source. The first readers each get a consumer of their
/// own, up to <see cref="KafkaRecordsOptions.SpreadOverConsumers"/> (one poll thread per core); after that a reader
/// goes to the least loaded consumer that does not already hold its topic-partition (one consumer can hold a
/// partition only once, but two groups may read the same partition at different offsets) and has room, so the
/// pool grows further only for concurrent readers of one partition or past
/// <see cref="KafkaRecordsOptions.ReadersPerConsumer"/>. A consumer left without readers closes itself after an
/// idle timeout.
/// </summary>
internal sealed class KafkaConsumerPool(KafkaRecordsOptions options, Action<LogMessage> log) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<PooledConsumer> _consumers = [];
    private readonly HashSet<PartitionReader> _readers = [];
    private int _lastId;
    private bool _disposed;

    public int ConsumerCount
    {
        get
        {
            lock (_lock)
            {
                return _consumers.Count;
            }
        }
    }

    public long LateRecords
    {
        get
        {
            lock (_lock)
            {
                return _consumers.Sum(c => c.LateRecords);
            }
        }
    }

    /// <summary>Records each attached reader holds; never more than its bound.</summary>
    public IReadOnlyList<int> BufferedRecords
    {
        get
        {
            lock (_lock)
            {
                return [.. _readers.Select(r => r.Count)];
            }
        }
    }

    public void Attach(PartitionReader reader)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var consumer = _consumers
                .Where(c => c.ReaderCount < options.ReadersPerConsumer && !c.Holds(reader.TopicPartition))
                .MinBy(c => c.ReaderCount);
            if (consumer is null || (consumer.ReaderCount > 0 && _consumers.Count < options.ConsumersToSpreadOver))
            {
                consumer = new PooledConsumer(++_lastId, this, options, log);
                _consumers.Add(consumer);
                consumer.Start();
            }

            consumer.Add(reader);
            reader.Consumer = consumer;
            _readers.Add(reader);
        }
    }

    public void Detach(PartitionReader reader)
    {
        lock (_lock)
        {
            reader.Consumer?.Remove(reader);
            reader.Consumer = null;
            _readers.Remove(reader);
        }
    }

    /// <summary>Called by an idle consumer: answers whether it may close, i.e. no reader came meanwhile.</summary>
    public bool TryRetire(PooledConsumer consumer)
    {
        lock (_lock)
        {
            return consumer.ReaderCount == 0 && _consumers.Remove(consumer);
        }
    }

    /// <summary>Called by a consumer that failed: it takes no more readers.</summary>
    public void Retire(PooledConsumer consumer)
    {
        lock (_lock)
        {
            _consumers.Remove(consumer);
        }
    }

    public void Dispose()
    {
        PooledConsumer[] stopping;
        lock (_lock)
        {
            _disposed = true;
            stopping = [.. _consumers];
            _consumers.Clear();
        }

        foreach (var consumer in stopping)
        {
            consumer.Stop();
        }
    }
}
