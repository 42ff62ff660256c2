using Confluent.Kafka;

namespace Liiklus.Storage.Records.Kafka;

/// <summary>
/// The node's Kafka consumers, at most <see cref="KafkaRecordsOptions.MaxConsumers"/> of them whatever the number of
/// streams, groups or positions. The first buffers each get a consumer of their own, up to
/// <see cref="KafkaRecordsOptions.ConsumersToSpreadOver"/> (one poll thread per core); after that a buffer goes to the
/// least loaded consumer that does not already hold its topic-partition (a consumer can hold a partition only once).
/// When every consumer holds it, the pool opens another if it may, else takes the slot of a catch-up buffer of that
/// partition whose stream is not reading (it attaches again once drained), else the buffer waits for a slot. A
/// consumer left without buffers closes itself after an idle timeout. Nothing here waits for Kafka: consumers are
/// built, polled and closed on their own threads.
/// </summary>
internal sealed class KafkaConsumerPool(KafkaRecordsOptions options, Action<LogMessage> log, bool failBelowRetention = false) : IDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly List<PooledConsumer> _consumers = [];
    private readonly HashSet<PartitionBuffer> _buffers = [];
    private readonly List<PartitionBuffer> _waiting = [];
    private (long Records, long Bytes) _fetchedByClosed;
    private long _brokerBytesOfClosed;
    private int _lastId;
    private int _waitingCount;
    private long _lastWaitingScan;
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

    /// <summary>Buffers of readers catching up that each open consumer holds, in the order the consumers were opened.</summary>
    public IReadOnlyList<int> CatchUpsPerConsumer
    {
        get
        {
            lock (_lock)
            {
                return [.. _consumers.Select(c => c.CatchUpCount)];
            }
        }
    }

    /// <summary>Buffers waiting for a consumer slot.</summary>
    public int WaitingCount
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>Whether there are consumers, and every one of them reads librdkafka's queue in batches.</summary>
    public bool EveryConsumerReadsInBatches
    {
        get
        {
            lock (_lock)
            {
                return _consumers.Count > 0 && _consumers.All(c => c.ReadsInBatches);
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

    /// <summary>Records and bytes fetched from Kafka by every consumer this pool ever had.</summary>
    public (long Records, long Bytes) Fetched
    {
        get
        {
            lock (_lock)
            {
                var (records, bytes) = _fetchedByClosed;
                foreach (var consumer in _consumers)
                {
                    records += consumer.Fetched.Records;
                    bytes += consumer.Fetched.Bytes;
                }

                return (records, bytes);
            }
        }
    }

    /// <summary>Message bytes received from the brokers by every consumer this pool ever had (librdkafka's statistics).</summary>
    public long BrokerMessageBytes
    {
        get
        {
            lock (_lock)
            {
                return _brokerBytesOfClosed + _consumers.Sum(c => c.BrokerMessageBytes);
            }
        }
    }

    /// <summary>Records each attached buffer holds; never more than its bound.</summary>
    public IReadOnlyList<int> BufferedRecords
    {
        get
        {
            lock (_lock)
            {
                return [.. _buffers.Select(b => b.Count)];
            }
        }
    }

    /// <summary>Bytes held by every buffer, attached or not.</summary>
    public long BufferedBytes
    {
        get
        {
            lock (_lock)
            {
                return _buffers.Sum(b => b.Bytes) + _waiting.Sum(b => b.Bytes);
            }
        }
    }

    /// <summary>
    /// Gives <paramref name="buffer"/> a consumer slot now, or as soon as one frees; nothing when it has one or waits
    /// for one already (a stage asks again each time it is woken).
    /// </summary>
    public void Attach(PartitionBuffer buffer)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (buffer.Consumer is not null || _waiting.Contains(buffer))
            {
                return;
            }

            if (!TryAttach(buffer))
            {
                _waiting.Add(buffer);
                Volatile.Write(ref _waitingCount, _waiting.Count);
            }
        }
    }

    public void Detach(PartitionBuffer buffer)
    {
        lock (_lock)
        {
            if (_waiting.Remove(buffer))
            {
                Volatile.Write(ref _waitingCount, _waiting.Count);
            }

            if (buffer.Consumer is { } consumer)
            {
                consumer.Remove(buffer);
                buffer.Consumer = null;
                _buffers.Remove(buffer);
                AttachWaiting();
            }
        }
    }

    /// <summary>Called by an idle consumer: answers whether it may close, i.e. no buffer came meanwhile.</summary>
    public bool TryRetire(PooledConsumer consumer)
    {
        lock (_lock)
        {
            if (consumer.BufferCount > 0 || !_consumers.Remove(consumer))
            {
                return false;
            }

            Retired(consumer);
            return true;
        }
    }

    /// <summary>Called by a consumer that failed: it takes no more buffers, and those it held fail with it.</summary>
    public void Retire(PooledConsumer consumer)
    {
        lock (_lock)
        {
            if (_consumers.Remove(consumer))
            {
                Retired(consumer);
            }

            _buffers.RemoveWhere(b => b.Consumer == consumer);
            AttachWaiting();
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

        // Closed side by side: each close may wait for its brokers.
        foreach (var consumer in stopping)
        {
            consumer.BeginStop();
        }

        // One deadline for them all, so a host's shutdown waits at most that long whatever the number of consumers.
        var stopped = System.Diagnostics.Stopwatch.StartNew();
        foreach (var consumer in stopping)
        {
            if (!consumer.Join(TimeSpan.FromTicks(Math.Max(0, StopTimeout.Ticks - stopped.Elapsed.Ticks))))
            {
                log(new LogMessage($"consumer-{consumer.Id}", SyslogLevel.Warning, "STOP", $"poll thread did not stop within {StopTimeout.TotalSeconds:0}s"));
            }
        }
    }

    private bool TryAttach(PartitionBuffer buffer)
    {
        var topicPartition = buffer.TopicPartition;
        // Spread by kind first: a reader catching up fetches as fast as its stream takes records, a shared tail only as
        // fast as they are published, and one poll thread carries all of its consumer's. Counted together, a tail and
        // the catch-up of the same partition (never on one consumer) would put every tail on one consumer and every
        // catch-up on another.
        var consumer = _consumers
            .Where(c => c.Holder(topicPartition) is null)
            .MinBy(c => (buffer.Evictable ? c.CatchUpCount : c.BufferCount - c.CatchUpCount, c.BufferCount));
        var spreading = consumer is { BufferCount: > 0 } && _consumers.Count < options.ConsumersToSpreadOver;
        var crowded = consumer is { } c2 && c2.BufferCount >= options.ReadersPerConsumer;
        if ((consumer is null || spreading || crowded) && _consumers.Count < options.MaxConsumers)
        {
            consumer = new PooledConsumer(++_lastId, this, options, log, failBelowRetention);
            _consumers.Add(consumer);
            consumer.Start();
        }

        if (consumer is null && HolderToEvict(topicPartition, forTail: !buffer.Evictable) is var (holder, idle))
        {
            holder.Evict(idle);
            idle.Consumer = null;
            _buffers.Remove(idle);
            consumer = holder;
        }

        if (consumer is null)
        {
            return false;
        }

        buffer.Reattached();
        consumer.Add(buffer);
        buffer.Consumer = consumer;
        _buffers.Add(buffer);
        return true;
    }

    /// <summary>
    /// A catch-up buffer of <paramref name="topicPartition"/> whose slot may go to another: one whose stream is not
    /// reading, or any catch-up buffer when the partition's shared tail waits (every stream at the tail depends on it;
    /// a catch-up stream evicted goes on from where it was once it has a slot again).
    /// </summary>
    private (PooledConsumer Holder, PartitionBuffer Buffer)? HolderToEvict(TopicPartition topicPartition, bool forTail)
    {
        foreach (var consumer in _consumers)
        {
            if (consumer.Holder(topicPartition) is { Evictable: true } held && (forTail || held.Paused || !held.StageWaiting))
            {
                return (consumer, held);
            }
        }

        return null;
    }

    /// <summary>
    /// Called by the consumers' poll loops: a waiting buffer may find a slot whose stream stopped reading since it
    /// was queued. At most once per poll timeout, whichever consumer asks: it takes the pool's lock.
    /// </summary>
    public void AttachWaitingIfAny()
    {
        if (Volatile.Read(ref _waitingCount) == 0)
        {
            return;
        }

        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastWaitingScan);
        if (now - last < options.PollTimeout.TotalMilliseconds || Interlocked.CompareExchange(ref _lastWaitingScan, now, last) != last)
        {
            return;
        }

        lock (_lock)
        {
            AttachWaiting();
        }
    }

    private void AttachWaiting()
    {
        for (var i = 0; i < _waiting.Count && !_disposed;)
        {
            if (TryAttach(_waiting[i]))
            {
                _waiting.RemoveAt(i);
            }
            else
            {
                i++;
            }
        }

        Volatile.Write(ref _waitingCount, _waiting.Count);
    }

    private void Retired(PooledConsumer consumer)
    {
        var fetched = consumer.Fetched;
        _fetchedByClosed = (_fetchedByClosed.Records + fetched.Records, _fetchedByClosed.Bytes + fetched.Bytes);
        _brokerBytesOfClosed += consumer.BrokerMessageBytes;
    }
}
