using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Liiklus.Storage.Records.Kafka;

/// <summary>
/// One Kafka consumer serving many partition readers, each on a different topic-partition. Its own thread polls,
/// routes each record to the reader of its partition, and alone calls the consumer: readers and the pool hand it
/// assign and unassign requests through a queue, and it pauses a partition whose reader is full and resumes it
/// once the reader has drained to half. Nothing is committed: the gateway keeps positions itself.
/// </summary>
internal sealed class PooledConsumer
{
    private readonly KafkaConsumerPool _pool;
    private readonly KafkaRecordsOptions _options;
    private readonly Action<LogMessage> _log;
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<Request> _requests = new();
    private readonly SemaphoreSlim _requested = new(0);
    private readonly HashSet<TopicPartition> _held = [];
    private readonly Dictionary<TopicPartition, PartitionReader> _readers = [];
    private readonly List<PartitionReader> _paused = [];
    // Accepted records of one reader not yet handed over: a run of them crosses to the stage as one chunk.
    private readonly List<StoredRecord> _pending = new(RecordChunk.MaxRecords);
    private PartitionReader? _pendingReader;
    private long _pendingBytes;
    private volatile bool _stopping;
    private long _lateRecords;

    public PooledConsumer(int id, KafkaConsumerPool pool, KafkaRecordsOptions options, Action<LogMessage> log)
    {
        Id = id;
        _pool = pool;
        _options = options;
        _log = log;
        // Built here, on the caller's thread, so a bad configuration fails the stream that asked for it.
        _consumer = new ConsumerBuilder<byte[], byte[]>(KafkaClientConfigs.Consumer(options))
            .SetLogHandler((_, message) => log(message))
            .SetErrorHandler((_, error) => log(KafkaErrors.AsLogMessage($"consumer-{id}", error)))
            .Build();
        _thread = new Thread(Run) { IsBackground = true, Name = $"liiklus-kafka-consumer-{id}" };
    }

    public int Id { get; }

    /// <summary>Topic-partitions with a reader here; guarded by the pool's lock.</summary>
    public int ReaderCount => _held.Count;

    /// <summary>Records dropped because they reached the poll thread after their partition was paused.</summary>
    public long LateRecords => Interlocked.Read(ref _lateRecords);

    public void Start() => _thread.Start();

    /// <summary>Under the pool's lock: one consumer can hold a topic-partition only once.</summary>
    public bool Holds(TopicPartition topicPartition) => _held.Contains(topicPartition);

    /// <summary>Under the pool's lock.</summary>
    public void Add(PartitionReader reader)
    {
        _held.Add(reader.TopicPartition);
        Send(new Assign(reader));
    }

    /// <summary>Under the pool's lock.</summary>
    public void Remove(PartitionReader reader)
    {
        _held.Remove(reader.TopicPartition);
        Send(new Unassign(reader));
    }

    public void Stop()
    {
        _stopping = true;
        _requested.Release();
        if (_thread.IsAlive && !_thread.Join(TimeSpan.FromSeconds(10)))
        {
            _log(new LogMessage($"consumer-{Id}", SyslogLevel.Warning, "STOP", "poll thread did not stop within 10s"));
        }
    }

    private void Send(Request request)
    {
        _requests.Enqueue(request);
        _requested.Release();
    }

    private void Run()
    {
        var idleSince = Environment.TickCount64;
        try
        {
            while (!_stopping)
            {
                ApplyRequests();
                ResumeDrained();
                if (_readers.Count > 0)
                {
                    idleSince = Environment.TickCount64;
                    Poll();
                }
                else if (Environment.TickCount64 - idleSince >= _options.ConsumerIdleTimeout.TotalMilliseconds && _pool.TryRetire(this))
                {
                    break;
                }
                else
                {
                    // Nothing assigned: sleep until a request comes, without polling Kafka.
                    _requested.Wait(_options.ConsumerIdleTimeout);
                }
            }
        }
        catch (Exception e)
        {
            _log(new LogMessage($"consumer-{Id}", SyslogLevel.Error, "POLL", $"poll loop failed: {e}"));
            _pool.Retire(this);
        }
        finally
        {
            var cause = new StorageUnavailableException("the Kafka consumer serving this partition stopped");
            foreach (var reader in _readers.Values.Where(r => !r.Failed))
            {
                reader.Fail(cause);
            }

            CloseConsumer();
        }
    }

    private void CloseConsumer()
    {
        try
        {
            // Leaves no group (none was joined) and commits nothing (auto-commit is off).
            _consumer.Close();
        }
        catch (KafkaException e)
        {
            _log(new LogMessage($"consumer-{Id}", SyslogLevel.Warning, "CLOSE", $"closing failed: {e.Error}"));
        }
        finally
        {
            _consumer.Dispose();
        }
    }

    private void ApplyRequests()
    {
        while (_requested.CurrentCount > 0 && _requested.Wait(0))
        {
        }

        while (_requests.TryDequeue(out var request))
        {
            switch (request)
            {
                case Assign assign:
                    OnAssign(assign.Reader);
                    break;
                case Unassign unassign:
                    OnUnassign(unassign.Reader);
                    break;
            }
        }
    }

    private void OnAssign(PartitionReader reader)
    {
        try
        {
            _consumer.IncrementalAssign([new TopicPartitionOffset(reader.TopicPartition, OffsetOf(reader.Start))]);
            _readers[reader.TopicPartition] = reader;
        }
        catch (KafkaException e)
        {
            reader.Fail(KafkaErrors.Unavailable(e.Error, $"assigning {reader.TopicPartition}"));
        }
    }

    private void OnUnassign(PartitionReader reader)
    {
        if (!_readers.TryGetValue(reader.TopicPartition, out var current) || current != reader)
        {
            return;
        }

        _readers.Remove(reader.TopicPartition);
        if (_pendingReader == reader)
        {
            // Its stream has ended: nobody takes these.
            ClearPending();
        }

        if (reader.Paused)
        {
            // A paused reader's partition is already unassigned.
            _paused.Remove(reader);
            return;
        }

        try
        {
            _consumer.IncrementalUnassign([reader.TopicPartition]);
        }
        catch (KafkaException e)
        {
            _log(new LogMessage($"consumer-{Id}", SyslogLevel.Warning, "UNASSIGN", $"unassigning {reader.TopicPartition} failed: {e.Error}"));
        }
    }

    private void Poll()
    {
        ConsumeResult<byte[], byte[]>? result;
        try
        {
            // While records wait to be handed over, only take what librdkafka already holds: an empty queue hands them
            // over at once instead of after a blocking poll.
            result = _consumer.Consume(_pending.Count > 0 ? TimeSpan.Zero : _options.PollTimeout);
        }
        catch (ConsumeException e) when (!e.Error.IsFatal)
        {
            HandOver();
            OnConsumeError(e);
            return;
        }

        if (result?.Message is null)
        {
            HandOver();
            return;
        }

        if (ReaderOf(result) is not { Failed: false } reader)
        {
            return;
        }

        if (reader.Paused)
        {
            // Fetched before the pause took effect: dropped, and fetched again on resume, which starts at the
            // reader's next offset, so the buffer never grows past its bound.
            Interlocked.Increment(ref _lateRecords);
            return;
        }

        if (result.Offset.Value < reader.NextOffset)
        {
            return;
        }

        if (reader != _pendingReader)
        {
            HandOver();
            _pendingReader = reader;
        }

        var record = ToStoredRecord(result);
        _pending.Add(record);
        _pendingBytes += PartitionReader.SizeOf(record);
        reader.NextOffset = record.Offset + 1;
        if (reader.IsFullWith(_pending.Count, _pendingBytes))
        {
            HandOver();
            Pause(reader);
        }
        else if (_pending.Count == RecordChunk.MaxRecords)
        {
            HandOver();
        }
    }

    private void HandOver()
    {
        if (_pendingReader is { } reader && _pending.Count > 0)
        {
            reader.Add([.. _pending], _pendingBytes);
        }

        ClearPending();
    }

    private void ClearPending()
    {
        _pending.Clear();
        _pendingBytes = 0;
        _pendingReader = null;
    }

    // Records come in runs from one partition (a fetch's batch): the reader with records pending usually takes the
    // next one too, found without allocating a TopicPartition and looking it up.
    private PartitionReader? ReaderOf(ConsumeResult<byte[], byte[]> result) =>
        _pendingReader is { } pending
        && pending.TopicPartition.Partition.Value == result.Partition.Value
        && pending.TopicPartition.Topic == result.Topic
            ? pending
            : _readers.GetValueOrDefault(result.TopicPartition);

    /// <summary>
    /// Stops fetching a full reader's partition by unassigning it, and resumes by assigning it again at the reader's
    /// next offset. librdkafka's own Pause/Resume would do, but (measured with 2.16 on the mock cluster) once every
    /// partition of a consumer is paused, a Resume restarts fetching only after about a second, while a new
    /// assignment at an explicit offset fetches within milliseconds: a lone slow stream would crawl.
    /// </summary>
    private void Pause(PartitionReader reader)
    {
        try
        {
            _consumer.IncrementalUnassign([reader.TopicPartition]);
            reader.Paused = true;
            _paused.Add(reader);
        }
        catch (KafkaException e)
        {
            reader.Fail(KafkaErrors.Unavailable(e.Error, $"pausing {reader.TopicPartition}"));
        }
    }

    private void ResumeDrained()
    {
        for (var i = _paused.Count - 1; i >= 0; i--)
        {
            var reader = _paused[i];
            if (!reader.IsDrained)
            {
                continue;
            }

            _paused.RemoveAt(i);
            reader.Paused = false;
            try
            {
                _consumer.IncrementalAssign([new TopicPartitionOffset(reader.TopicPartition, reader.NextOffset)]);
            }
            catch (KafkaException e)
            {
                reader.Fail(KafkaErrors.Unavailable(e.Error, $"resuming {reader.TopicPartition}"));
            }
        }
    }

    private void OnConsumeError(ConsumeException e)
    {
        var topicPartition = e.ConsumerRecord?.TopicPartition;
        if (topicPartition is not null && _readers.TryGetValue(topicPartition, out var reader) && !reader.Failed)
        {
            reader.Fail(KafkaErrors.Unavailable(e.Error, $"reading {topicPartition}"));
            return;
        }

        _log(new LogMessage($"consumer-{Id}", SyslogLevel.Warning, "CONSUME", $"consume failed: {e.Error}"));
    }

    private static Offset OffsetOf(StartPosition start) => start switch
    {
        StartPosition.OffsetPosition { Offset: >= 0 } at => new Offset(at.Offset),
        StartPosition.LatestPosition => Offset.End,
        _ => Offset.Beginning,
    };

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

    private sealed record Assign(PartitionReader Reader) : Request;

    private sealed record Unassign(PartitionReader Reader) : Request;
}
