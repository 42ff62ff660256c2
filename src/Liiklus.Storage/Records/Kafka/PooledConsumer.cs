using System.Collections.Concurrent;
using Confluent.Kafka;
using Liiklus.Storage.Records.Kafka.Native;

namespace Liiklus.Storage.Records.Kafka;

/// <summary>
/// One Kafka consumer serving many partition buffers, each on a different topic-partition. Its own thread builds the
/// consumer, polls, routes each record to the buffer of its partition, closes the consumer, and alone calls it: the
/// pool hands it assign, unassign and evict requests through a queue. It pauses a partition whose buffer is full and
/// resumes it once the buffer has drained to half. Nothing is committed: the gateway keeps positions itself.
/// </summary>
internal sealed unsafe class PooledConsumer
{
    private readonly KafkaConsumerPool _pool;
    private readonly KafkaRecordsOptions _options;
    private readonly Action<LogMessage> _log;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<Request> _requests = new();
    private readonly SemaphoreSlim _requested = new(0);
    private readonly Dictionary<TopicPartition, PartitionBuffer> _held = [];
    private readonly Dictionary<TopicPartition, PartitionBuffer> _buffers = [];
    private readonly List<PartitionBuffer> _paused = [];
    // Accepted records of one buffer not yet handed over: a run of them crosses to the stage as one chunk.
    private readonly List<StoredRecord> _pending = new(ChunkBounds.MaxRecords);
    private readonly IntPtr[] _batch;
    private IConsumer<byte[], byte[]>? _consumer;
    private ConsumerQueue? _queue;
    private PartitionBuffer? _pendingBuffer;
    private long _pendingBytes;
    private volatile bool _stopping;
    private long _lateRecords;
    private long _fetchedRecords;
    private long _fetchedBytes;
    private long _brokerMessageBytes;

    private readonly bool _failBelowRetention;

    /// <param name="failBelowRetention">whether a partition whose next offset retention deleted fails with
    /// <see cref="OffsetBelowRetentionException"/> rather than moving to the oldest retained record</param>
    public PooledConsumer(int id, KafkaConsumerPool pool, KafkaRecordsOptions options, Action<LogMessage> log, bool failBelowRetention = false)
    {
        _failBelowRetention = failBelowRetention;
        Id = id;
        _pool = pool;
        _options = options;
        _log = log;
        _thread = new Thread(Run) { IsBackground = true, Name = $"liiklus-kafka-consumer-{id}" };
        // Messages taken from librdkafka's queue in one call. When a partition pauses within a batch, the batch's later
        // records of it are dropped and fetched again: a batch is kept to a small share of a reader's buffer.
        _batch = new IntPtr[Math.Clamp(options.ReaderBufferRecords / 64, 1, 32)];
    }

    public int Id { get; }

    /// <summary>Topic-partitions with a buffer here; guarded by the pool's lock.</summary>
    public int BufferCount => _held.Count;

    /// <summary>Of <see cref="BufferCount"/>, the buffers of readers catching up (evictable ones); guarded by the pool's lock.</summary>
    public int CatchUpCount { get; private set; }

    /// <summary>Records dropped because they reached the poll thread after their partition was paused.</summary>
    public long LateRecords => Interlocked.Read(ref _lateRecords);

    /// <summary>Records and their bytes (key, value, headers) that this consumer fetched from Kafka and routed.</summary>
    public (long Records, long Bytes) Fetched => (Interlocked.Read(ref _fetchedRecords), Interlocked.Read(ref _fetchedBytes));

    /// <summary>
    /// Message bytes (with Kafka's framing) received from the brokers, by librdkafka's own statistics (<c>rxmsg_bytes</c>);
    /// 0 unless <c>statistics.interval.ms</c> is set among the storage's properties.
    /// </summary>
    public long BrokerMessageBytes => Interlocked.Read(ref _brokerMessageBytes);

    /// <summary>Whether this consumer reads librdkafka's queue in batches rather than through Confluent.Kafka's <c>Consume</c>.</summary>
    public bool ReadsInBatches => Volatile.Read(ref _queue) is not null;

    public void Start() => _thread.Start();

    /// <summary>Under the pool's lock: the buffer holding <paramref name="topicPartition"/> here, if any.</summary>
    public PartitionBuffer? Holder(TopicPartition topicPartition) => _held.GetValueOrDefault(topicPartition);

    /// <summary>Under the pool's lock: one consumer can hold a topic-partition only once.</summary>
    public void Add(PartitionBuffer buffer)
    {
        _held.Add(buffer.TopicPartition, buffer);
        CatchUpCount += buffer.Evictable ? 1 : 0;
        Send(new Assign(buffer));
    }

    /// <summary>Under the pool's lock.</summary>
    public void Remove(PartitionBuffer buffer)
    {
        Released(buffer);
        Send(new Unassign(buffer, Evicting: false));
    }

    /// <summary>Under the pool's lock: frees the slot of a paused buffer for another; its stage attaches again later.</summary>
    public void Evict(PartitionBuffer buffer)
    {
        Released(buffer);
        Send(new Unassign(buffer, Evicting: true));
    }

    /// <summary>Asks the poll thread to close the consumer and end; <see cref="Join"/> waits for it.</summary>
    public void BeginStop()
    {
        _stopping = true;
        _requested.Release();
    }

    public bool Join(TimeSpan timeout) => !_thread.IsAlive || _thread.Join(timeout);

    private void Released(PartitionBuffer buffer)
    {
        if (_held.Remove(buffer.TopicPartition, out var held))
        {
            CatchUpCount -= held.Evictable ? 1 : 0;
        }
    }

    private void Send(Request request)
    {
        _requests.Enqueue(request);
        _requested.Release();
    }

    private void Run()
    {
        try
        {
            // Built here, on its own thread, so that no caller's thread waits for librdkafka to start a client.
            _consumer = new ConsumerBuilder<byte[], byte[]>(KafkaClientConfigs.Consumer(_options, _failBelowRetention))
                .SetLogHandler((_, message) => _log(message))
                .SetErrorHandler((_, error) => _log(KafkaErrors.AsLogMessage($"consumer-{Id}", error)))
                .SetStatisticsHandler((_, statistics) => OnStatistics(statistics))
                .Build();
            OpenQueue(_consumer);
            PollUntilStopped(_consumer);
        }
        catch (Exception e)
        {
            _log(new LogMessage($"consumer-{Id}", SyslogLevel.Error, "POLL", $"consumer failed: {e.Message}"));
            _pool.Retire(this);
            FailEveryBuffer(StorageUnavailableException.Records($"the Kafka consumer serving this partition failed: {e.Message}", e));
        }
        finally
        {
            FailEveryBuffer(StorageUnavailableException.Records("the Kafka consumer serving this partition stopped"));
            CloseConsumer();
        }
    }

    private void PollUntilStopped(IConsumer<byte[], byte[]> consumer)
    {
        var idleSince = Environment.TickCount64;
        while (!_stopping)
        {
            _pool.AttachWaitingIfAny();
            ApplyRequests(consumer);
            ResumeDrained(consumer);
            if (_buffers.Count > 0)
            {
                idleSince = Environment.TickCount64;
                Poll(consumer);
            }
            else if (Environment.TickCount64 - idleSince >= _options.ConsumerIdleTimeout.TotalMilliseconds && _pool.TryRetire(this))
            {
                return;
            }
            else
            {
                // Nothing assigned: sleep until a request comes, without polling Kafka.
                _requested.Wait(_options.ConsumerIdleTimeout); // the consumer's own thread, never a pool or dispatcher thread
            }
        }
    }

    private void FailEveryBuffer(Exception cause)
    {
        foreach (var buffer in _buffers.Values.Where(b => !b.Failed))
        {
            buffer.Fail(cause);
        }

        // Requests that never reached the loop: their buffers wait for an assignment that will not come.
        while (_requests.TryDequeue(out var request))
        {
            if (request is Assign { Buffer: { Failed: false } buffer })
            {
                buffer.Fail(cause);
            }
        }
    }

    // Never throws: Confluent.Kafka keeps a handler's exception for the next Consume or Close, and the batch path never
    // calls Consume, so the exception would wait for Close.
    private void OnStatistics(string statistics)
    {
        try
        {
            Interlocked.Exchange(ref _brokerMessageBytes, KafkaStatistics.MessageBytesReceived(statistics));
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            _log(new LogMessage($"consumer-{Id}", SyslogLevel.Warning, "STATS", $"statistics not read: {e.Message}"));
        }
    }

    private void OpenQueue(IConsumer<byte[], byte[]> consumer)
    {
        if (!_options.ReadInBatches)
        {
            return;
        }

        Volatile.Write(ref _queue, ConsumerQueue.TryOpen(consumer, out var unavailable));
        if (unavailable is not null)
        {
            _log(new LogMessage($"consumer-{Id}", SyslogLevel.Warning, "POLL", $"reading record by record, librdkafka's batch read is not available: {unavailable}"));
        }
    }

    private void CloseConsumer()
    {
        // librdkafka requires the queue's reference dropped before the consumer closes.
        _queue?.Dispose();
        if (_consumer is null)
        {
            return;
        }

        try
        {
            // Leaves no group (none was joined) and commits nothing (auto-commit is off).
            _consumer.Close();
        }
        catch (Exception e)
        {
            // The poll thread's last act: whatever Close throws (a handler's kept exception among them) must not end
            // the process.
            _log(new LogMessage($"consumer-{Id}", SyslogLevel.Warning, "CLOSE", $"closing failed: {(e is KafkaException kafka ? kafka.Error : e.Message)}"));
        }
        finally
        {
            _consumer.Dispose();
        }
    }

    private void ApplyRequests(IConsumer<byte[], byte[]> consumer)
    {
        // Takes back the wake-up signals already counted, without waiting (a zero timeout), on the consumer's own thread.
        while (_requested.CurrentCount > 0 && _requested.Wait(0))
        {
        }

        while (_requests.TryDequeue(out var request))
        {
            switch (request)
            {
                case Assign assign:
                    OnAssign(consumer, assign.Buffer);
                    break;
                case Unassign unassign:
                    OnUnassign(consumer, unassign.Buffer, unassign.Evicting);
                    break;
            }
        }
    }

    private void OnAssign(IConsumer<byte[], byte[]> consumer, PartitionBuffer buffer)
    {
        try
        {
            // Always an exact offset: one past the end (or before the oldest retained record) is reset by the consumer
            // to the oldest retained record (auto.offset.reset = earliest), the storages' policy for lost positions.
            consumer.IncrementalAssign([new TopicPartitionOffset(buffer.TopicPartition, buffer.NextOffset)]);
            buffer.Paused = false;
            _buffers[buffer.TopicPartition] = buffer;
        }
        catch (KafkaException e)
        {
            buffer.Fail(KafkaErrors.Unavailable(e.Error, $"assigning {buffer.TopicPartition}"));
        }
    }

    private void OnUnassign(IConsumer<byte[], byte[]> consumer, PartitionBuffer buffer, bool evicting)
    {
        if (!_buffers.TryGetValue(buffer.TopicPartition, out var current) || current != buffer)
        {
            return;
        }

        _buffers.Remove(buffer.TopicPartition);
        if (_pendingBuffer == buffer)
        {
            // Handed over rather than dropped when evicting: the stage still reads them.
            if (evicting)
            {
                HandOver();
            }
            else
            {
                ClearPending();
            }
        }

        var wasPaused = _paused.Remove(buffer);
        if (!wasPaused)
        {
            // A paused buffer's partition is already unassigned.
            try
            {
                consumer.IncrementalUnassign([buffer.TopicPartition]);
            }
            catch (KafkaException e)
            {
                _log(new LogMessage($"consumer-{Id}", SyslogLevel.Warning, "UNASSIGN", $"unassigning {buffer.TopicPartition} failed: {e.Error}"));
            }
        }

        if (evicting)
        {
            buffer.Evict();
        }
    }

    private void Poll(IConsumer<byte[], byte[]> consumer)
    {
        if (_queue is { } queue)
        {
            PollBatch(consumer, queue);
        }
        else
        {
            PollOne(consumer);
        }
    }

    private void PollBatch(IConsumer<byte[], byte[]> consumer, ConsumerQueue queue)
    {
        var count = queue.TakeQueued(_batch);
        if (count == 0)
        {
            // As in PollOne: records waiting to be handed over go at once; only then does the thread block.
            if (_pending.Count > 0)
            {
                HandOver();
                return;
            }

            var one = queue.Poll(_options.PollTimeout);
            if (one == IntPtr.Zero)
            {
                return;
            }

            _batch[0] = one;
            count = 1;
        }

        var next = 0;
        try
        {
            while (next < count)
            {
                var message = _batch[next++];
                try
                {
                    Route(consumer, queue, message);
                }
                finally
                {
                    ConsumerQueue.Release(message);
                }
            }
        }
        finally
        {
            // A fatal error ends the loop early: the batch's remaining messages are freed all the same.
            while (next < count)
            {
                ConsumerQueue.Release(_batch[next++]);
            }
        }
    }

    private void Route(IConsumer<byte[], byte[]> consumer, ConsumerQueue queue, IntPtr message)
    {
        var fields = ConsumerQueue.Read(message);
        var topic = queue.TopicOf(fields);
        if (fields->Error != 0)
        {
            var error = queue.ErrorOf(message);
            if (error.IsFatal)
            {
                throw new KafkaException(error);
            }

            HandOver();
            OnConsumeError(topic is null ? null : new TopicPartition(topic, fields->Partition), error);
            return;
        }

        if (Accepting(topic, fields->Partition, fields->Offset) is { } buffer)
        {
            Accept(consumer, buffer, ConsumerQueue.ToStoredRecord(message));
        }
    }

    private void PollOne(IConsumer<byte[], byte[]> consumer)
    {
        ConsumeResult<byte[], byte[]>? result;
        try
        {
            // While records wait to be handed over, only take what librdkafka already holds: an empty queue hands them
            // over at once instead of after a blocking poll.
            result = consumer.Consume(_pending.Count > 0 ? TimeSpan.Zero : _options.PollTimeout);
        }
        catch (ConsumeException e) when (!e.Error.IsFatal)
        {
            HandOver();
            OnConsumeError(e.ConsumerRecord?.TopicPartition, e.Error);
            return;
        }

        if (result?.Message is null)
        {
            HandOver();
            return;
        }

        if (Accepting(result.Topic, result.Partition.Value, result.Offset.Value) is { } buffer)
        {
            Accept(consumer, buffer, ToStoredRecord(result));
        }
    }

    /// <summary>The buffer to take a fetched record, or null when the record is to be dropped.</summary>
    private PartitionBuffer? Accepting(string? topic, int partition, long offset)
    {
        if (topic is null || BufferOf(topic, partition) is not { Failed: false } buffer)
        {
            return null;
        }

        if (buffer.Paused)
        {
            // Fetched before the pause took effect: dropped, and fetched again on resume, which starts at the
            // buffer's next offset, so the buffer never grows past its bound.
            Interlocked.Increment(ref _lateRecords);
            return null;
        }

        return buffer.Started && offset < buffer.NextOffset ? null : buffer;
    }

    private void Accept(IConsumer<byte[], byte[]> consumer, PartitionBuffer buffer, StoredRecord record)
    {
        if (buffer != _pendingBuffer)
        {
            HandOver();
            _pendingBuffer = buffer;
        }

        var size = record.SizeInBytes;
        _pending.Add(record);
        _pendingBytes += size;
        buffer.NextOffset = record.Offset + 1;
        buffer.Started = true;
        if (buffer.IsFullWith(_pending.Count, _pendingBytes))
        {
            HandOver();
            Pause(consumer, buffer);
        }
        else if (_pending.Count == ChunkBounds.MaxRecords)
        {
            HandOver();
        }
    }

    private void HandOver()
    {
        if (_pendingBuffer is { } buffer && _pending.Count > 0)
        {
            // Counted per chunk, not per record: the poll thread is the path's busiest.
            Interlocked.Add(ref _fetchedRecords, _pending.Count);
            Interlocked.Add(ref _fetchedBytes, _pendingBytes);
            buffer.Add([.. _pending], _pendingBytes);
        }

        ClearPending();
    }

    private void ClearPending()
    {
        _pending.Clear();
        _pendingBytes = 0;
        _pendingBuffer = null;
    }

    // Records come in runs from one partition (a fetch's batch): the buffer with records pending usually takes the
    // next one too, found without allocating a TopicPartition and looking it up.
    private PartitionBuffer? BufferOf(string topic, int partition) =>
        _pendingBuffer is { } pending
        && pending.TopicPartition.Partition.Value == partition
        && pending.TopicPartition.Topic == topic
            ? pending
            : _buffers.GetValueOrDefault(new TopicPartition(topic, partition));

    /// <summary>
    /// Stops fetching a full buffer's partition by unassigning it, and resumes by assigning it again at the buffer's
    /// next offset. librdkafka's own Pause/Resume would do, but (measured with 2.16 on the mock cluster) once every
    /// partition of a consumer is paused, a Resume restarts fetching only after about a second, while a new
    /// assignment at an explicit offset fetches within milliseconds: a lone slow stream would crawl.
    /// </summary>
    private void Pause(IConsumer<byte[], byte[]> consumer, PartitionBuffer buffer)
    {
        try
        {
            consumer.IncrementalUnassign([buffer.TopicPartition]);
            buffer.Paused = true;
            _paused.Add(buffer);
        }
        catch (KafkaException e)
        {
            buffer.Fail(KafkaErrors.Unavailable(e.Error, $"pausing {buffer.TopicPartition}"));
        }
    }

    private void ResumeDrained(IConsumer<byte[], byte[]> consumer)
    {
        for (var i = _paused.Count - 1; i >= 0; i--)
        {
            var buffer = _paused[i];
            if (!buffer.IsDrained)
            {
                continue;
            }

            _paused.RemoveAt(i);
            buffer.Paused = false;
            try
            {
                consumer.IncrementalAssign([new TopicPartitionOffset(buffer.TopicPartition, buffer.NextOffset)]);
            }
            catch (KafkaException e)
            {
                buffer.Fail(KafkaErrors.Unavailable(e.Error, $"resuming {buffer.TopicPartition}"));
            }
        }
    }

    private void OnConsumeError(TopicPartition? topicPartition, Error error)
    {
        if (topicPartition is not null && _buffers.TryGetValue(topicPartition, out var buffer) && !buffer.Failed)
        {
            if (_failBelowRetention && error.Code == ErrorCode.Local_AutoOffsetReset)
            {
                buffer.Fail(new OffsetBelowRetentionException(topicPartition.Topic, topicPartition.Partition.Value, buffer.NextOffset));
                return;
            }

            buffer.Fail(KafkaErrors.Unavailable(error, $"reading {topicPartition}"));
            return;
        }

        _log(new LogMessage($"consumer-{Id}", SyslogLevel.Warning, "CONSUME", $"consume failed: {error}"));
    }

    private static StoredRecord ToStoredRecord(ConsumeResult<byte[], byte[]> result)
    {
        var message = result.Message;
        var headers = message.Headers is { Count: > 0 } kafkaHeaders
            ? kafkaHeaders.Select(h => new RecordHeader(h.Key, h.GetValueBytes() ?? [])).ToArray()
            : [];
        return new StoredRecord(
            result.Partition.Value,
            result.Offset.Value,
            message.Key,
            message.Value ?? [],
            headers,
            DateTimeOffset.FromUnixTimeMilliseconds(message.Timestamp.UnixTimestampMs));
    }

    private abstract record Request;

    private sealed record Assign(PartitionBuffer Buffer) : Request;

    private sealed record Unassign(PartitionBuffer Buffer, bool Evicting) : Request;
}
