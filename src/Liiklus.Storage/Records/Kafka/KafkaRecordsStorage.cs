using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Liiklus.Storage.Kafka;
using Confluent.Kafka.Admin;
using Liiklus.Storage.Cold.Archiving;

namespace Liiklus.Storage.Records.Kafka;

/// <summary>
/// Records in Kafka. One idempotent producer per node publishes (acks=all, murmur2 keys as Kafka's Java producer).
/// Reading shares fetches: each topic-partition that streams read has one shared tail on the node, fetched once and
/// read in place by every stream positioned there, whatever its group; a stream behind it catches up through a fetch
/// of its own on a bounded pool of consumers that assign partitions at the gateway's positions and never commit.
/// Nothing here connects eagerly or blocks a caller's thread: while Kafka is down, calls fail with
/// <see cref="StorageUnavailableException"/> and work again once it is back.
/// </summary>
public sealed class KafkaRecordsStorage : IRecordsStorage, IRetentionAwareRecordsStorage, IArchiveSource, IDisposable
{
    private static readonly TimeSpan TopicCreationRetry = TimeSpan.FromMilliseconds(100);
    private readonly KafkaRecordsOptions _options;
    private readonly ByteBudget _budget;
    private readonly Action<LogMessage> _log;
    private readonly Lock _producerLock = new();
    private readonly IAdminClient _creatingAdmin;
    private readonly IAdminClient _lookingAdmin;
    private readonly KafkaTopicMetadata _metadata;
    private readonly KafkaConsumerPool _pool;
    // Readers that fetch what retention deleted from elsewhere (the cold store): their consumers report an offset
    // older than retention instead of moving past it. A pool of its own, since the setting is per consumer.
    private readonly KafkaConsumerPool _retentionAwarePool;
    private readonly PartitionTails _tails;
    private IProducer<byte[]?, byte[]> _producer;
    private int _disposed;

    /// <param name="materializer">runs the shared tails' fetches; asked for at the first read</param>
    /// <param name="budget">the node's bound on buffered record bytes; unbounded when null</param>
    /// <param name="log">where librdkafka's and the storage's own log lines go; dropped when null</param>
    /// <exception cref="ArgumentException">no bootstrap servers</exception>
    /// <exception cref="InvalidOperationException">a property librdkafka does not accept</exception>
    public KafkaRecordsStorage(
        KafkaRecordsOptions options,
        Func<IMaterializer> materializer,
        ByteBudget? budget = null,
        Action<LogMessage>? log = null)
    {
        if (string.IsNullOrWhiteSpace(options.BootstrapServers))
        {
            throw new ArgumentException("Kafka bootstrap servers are required (kafka_bootstrapServers)", nameof(options));
        }

        _options = options;
        _budget = budget ?? ByteBudget.Unbounded();
        _log = LibrdkafkaLog.WithoutScopeNotices(log ?? (_ => { }));
        _producer = BuildProducer();
        _creatingAdmin = BuildAdmin(createTopics: true);
        _lookingAdmin = BuildAdmin(createTopics: false);
        _metadata = new KafkaTopicMetadata(_creatingAdmin, _lookingAdmin, options.RequestTimeout, options.MetadataMaxAge);
        _pool = new KafkaConsumerPool(options, _log);
        _retentionAwarePool = new KafkaConsumerPool(options, _log, failBelowRetention: true);
        // The shared fetch's own buffer is bounded by the reader buffer and emptied by its hub at once: it takes no budget.
        var fetches = ByteBudget.Unbounded();
        _tails = new PartitionTails(
            options,
            materializer,
            (tp, ct) => OffsetAsync(tp, OffsetSpec.Latest(), ct),
            (tp, offset) => Volatile.Read(ref _disposed) != 0
                ? Source.Empty<IReadOnlyList<StoredRecord>>()
                : Source.FromGraph(new KafkaPartitionSource(_pool, tp, offset, options, fetches)),
            (tp, cause) => _log(new LogMessage("shared-tail", SyslogLevel.Warning, "FETCH", $"the shared fetch of {tp} failed: {cause.Message}")));
    }

    public KafkaRecordsStorage(KafkaRecordsOptions options, IMaterializer materializer, ByteBudget? budget = null, Action<LogMessage>? log = null)
        : this(options, () => materializer, budget, log)
    {
    }

    /// <summary>
    /// librdkafka's own timeout for admin requests, a minute past the storage's deadline, which abandons the call: a
    /// request librdkafka itself timed out while waiting for a broker can abort the process once that broker is back
    /// (rd_kafka_enq_once_del_source_return; see the Kafka positions storage), while an abandoned one simply completes.
    /// </summary>
    private TimeSpan LibrdkafkaTimeout => _options.RequestTimeout + TimeSpan.FromMinutes(1);

    /// <summary>The consumer pool, for specs of its slots.</summary>
    internal KafkaConsumerPool Pool => _pool;

    /// <summary>Consumers currently open; for tests and diagnostics.</summary>
    internal int ConsumerCount => _pool.ConsumerCount;

    /// <summary>Partition buffers waiting for a consumer slot.</summary>
    internal int WaitingBuffers => _pool.WaitingCount;

    /// <summary>Records each attached partition buffer holds ahead of its stream.</summary>
    internal IReadOnlyList<int> BufferedRecords => _pool.BufferedRecords;

    /// <summary>Bytes held by partition buffers (the shared tails' windows are not included).</summary>
    internal long BufferedBytes => _pool.BufferedBytes;

    /// <summary>Whether this node's consumers (one at least) all read librdkafka's queue in batches.</summary>
    internal bool EveryConsumerReadsInBatches => _pool.EveryConsumerReadsInBatches;

    /// <summary>Records fetched before their partition's pause took effect and fetched again after it.</summary>
    internal long LateRecords => _pool.LateRecords;

    /// <summary>Records and bytes fetched from Kafka by this node's consumers.</summary>
    internal (long Records, long Bytes) Fetched => _pool.Fetched;

    /// <summary>Message bytes the consumers received from the brokers, by librdkafka's statistics (when enabled).</summary>
    internal long BrokerMessageBytes => _pool.BrokerMessageBytes;

    /// <summary>Shared tails running now.</summary>
    internal int SharedTails => _tails.Count;

    /// <summary>Bytes the shared tails' windows hold together.</summary>
    internal long SharedTailWindowBytes => _tails.WindowBytes;

    /// <summary>The shared window of a partition's tail: null while it has none, or before it knows where it starts.</summary>
    internal (long Start, long End, long Bytes, int Records)? SharedTailWindow(string topic, int partition) =>
        _tails.WindowOf(new TopicPartition(topic, partition));

    /// <summary>Metadata requests sent to the brokers.</summary>
    internal long MetadataRequests => _metadata.RequestsSent;

    public async Task<PublishResult> PublishAsync(string topic, OutgoingRecord record, CancellationToken cancellationToken)
    {
        var message = new Message<byte[]?, byte[]>
        {
            // An empty key is no key, as in the in-memory storage: it is spread, not hashed.
            Key = record.Key is { Length: > 0 } key ? key : null,
            Value = record.Value,
            Timestamp = new Timestamp(record.Timestamp),
            Headers = ToKafkaHeaders(record.Headers),
        };
        var producer = Volatile.Read(ref _producer);
        try
        {
            var delivered = await producer.ProduceAsync(topic, message, cancellationToken);
            return new PublishResult(delivered.Partition.Value, delivered.Offset.Value);
        }
        catch (KafkaException e)
        {
            ReplaceIfFatal(producer, e.Error);
            throw KafkaErrors.OnPublish(e.Error, topic, record, _options);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw KafkaErrors.DeadlineReached($"a publish to topic '{topic}' (the record may still be written)", e);
        }
    }

    /// <summary>
    /// From the topic's metadata. The request lets the brokers create an unknown topic when they are configured to
    /// (<c>auto.create.topics.enable</c>); when they are not, the topic must be created by its owner and this
    /// answers <see cref="StorageUnavailableException"/>, so a subscriber retries until it exists.
    /// </summary>
    public async Task<int> GetPartitionCountAsync(string topic, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(_options.RequestTimeout);
        while (true)
        {
            var metadata = await TopicMetadataAsync(topic, create: true, bounded.Token);
            switch (metadata.Error.Code)
            {
                case ErrorCode.NoError when metadata.Partitions.Count > 0:
                    return metadata.Partitions.Count;
                case ErrorCode.UnknownTopicOrPart:
                    throw new StorageUnavailableException(
                        $"{StorageUnavailableException.RecordsSummary}: topic '{topic}' does not exist and the Kafka brokers do not create topics on first use",
                        $"topic '{topic}' does not exist and the Kafka brokers do not create topics on first use");
                case ErrorCode.NoError or ErrorCode.LeaderNotAvailable:
                    // Being created: brokers answer its partitions once they have leaders.
                    _metadata.Forget(topic);
                    await WaitBeforeRetry(topic, bounded.Token);
                    break;
                default:
                    throw KafkaErrors.Unavailable(metadata.Error, $"describing topic '{topic}'");
            }
        }
    }

    // The high watermark is the offset the next record will get.
    public async Task<IReadOnlyDictionary<int, long>> GetEndOffsetsAsync(string topic, CancellationToken cancellationToken) =>
        (await TopicOffsetsAsync(topic, OffsetSpec.Latest(), "end offsets", cancellationToken)).ToDictionary(p => p.Key, p => p.Value - 1);

    // The low watermark: the oldest record retention kept, or the high watermark when it kept none.
    public Task<IReadOnlyDictionary<int, long>> GetEarliestOffsetsAsync(string topic, CancellationToken cancellationToken) =>
        TopicOffsetsAsync(topic, OffsetSpec.Earliest(), "earliest offsets", cancellationToken);

    /// <summary>
    /// Kafka's ListOffsets by timestamp, through the admin client (asynchronous, unlike a consumer's blocking
    /// OffsetsForTimes). The brokers answer -1 where no record is that recent; the end offset is read before the
    /// lookup, so a record stamped after the time but published between the two requests is never skipped.
    /// </summary>
    public async Task<IReadOnlyDictionary<int, long>> GetOffsetsForTimestampAsync(string topic, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(_options.RequestTimeout);
        var partitions = await PartitionsOfAsync(topic, bounded.Token);
        if (partitions.Count == 0)
        {
            return new Dictionary<int, long>();
        }

        var ends = await PartitionOffsetsAsync(topic, partitions, OffsetSpec.Latest(), "end offsets", bounded);
        var found = await PartitionOffsetsAsync(topic, partitions, OffsetSpec.ForTimestamp(KafkaMilliseconds(timestamp)), "offsets for a timestamp", bounded);
        return partitions.ToDictionary(p => p, p => found.TryGetValue(p, out var offset) && offset >= 0 ? offset : ends[p]);
    }

    public async Task<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var topics = await Deadline.RunAsync(_options.RequestTimeout, _metadata.ListAsync, cancellationToken).ConfigureAwait(false);
            return
            [
                .. topics
                    .Where(t => t.Error.Code == ErrorCode.NoError && !t.Topic.StartsWith("__", StringComparison.Ordinal))
                    .Select(t => t.Topic)
                    .Order(StringComparer.Ordinal),
            ];
        }
        catch (KafkaException e)
        {
            throw KafkaErrors.Unavailable(e.Error, "listing the topics");
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            throw KafkaErrors.DeadlineReached("the list of topics", e);
        }
    }

    public Source<IReadOnlyList<StoredRecord>, NotUsed> PartitionSource(string topic, int partition, StartPosition start)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        return Source.FromGraph(new TailOrCatchUpSource(
            _tails,
            _pool,
            new TopicPartition(topic, partition),
            start,
            _options,
            _budget,
            (tp, ct) => OffsetAsync(tp, OffsetSpec.Earliest(), ct)));
    }

    public IDisposable? WakeOnAppend(string topic, int partition, long offset, Action wake)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        var tail = _tails.Join(new TopicPartition(topic, partition));
        var wait = new TailWait(_tails, tail, wake);
        switch (tail.Join(offset, wake, out var sequence))
        {
            case JoinResult.Joined:
                StoredRecord[]? next;
                try
                {
                    next = tail.Read(ref sequence, 1, wake);
                }
                catch (StorageUnavailableException)
                {
                    // The window failed: a new stream fails with the cause.
                    next = null;
                }

                if (next is not { Length: 0 })
                {
                    wake();
                }

                break;
            case JoinResult.NotYet:
                // Woken once the window knows where it starts.
                break;
            default:
                // Outside the window, or the window failed: a new stream reads on its own, or fails with the cause.
                wake();
                break;
        }

        return wait;
    }

    /// <remarks>Read in place from the partition's shared tail window, when it runs and holds the offset.</remarks>
    public IReadOnlyList<StoredRecord>? ReadAtTail(string topic, int partition, long offset, int maxRecords) =>
        partition < 0 ? null : _tails.Find(new TopicPartition(topic, partition))?.ReadAt(offset, maxRecords);

    /// <remarks>
    /// Known only from a running shared tail: its window's end for a stream starting at the end (where
    /// <see cref="TailOrCatchUpSource"/> would join it), an offset inside the window, or for a stream starting at the
    /// earliest position the partition's log start, when one seen before (by a reader that asked the brokers, or a
    /// partition that ended at 0) is still inside the window.
    /// </remarks>
    public long? RestingOffset(string topic, int partition, StartPosition start)
    {
        if (partition < 0 || _tails.Find(new TopicPartition(topic, partition)) is not { } tail || tail.Window is not { } window)
        {
            return null;
        }

        return start switch
        {
            StartPosition.LatestPosition => window.End,
            StartPosition.OffsetPosition at when at.Offset >= window.Start && at.Offset <= window.End => at.Offset,
            StartPosition.EarliestPosition => tail.EarliestInWindow(),
            _ => null,
        };
    }

    public Source<IReadOnlyList<StoredRecord>, NotUsed> RetainedPartitionSource(string topic, int partition, long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        // The shared tail holds only records already fetched, which retention can no longer take away from a reader.
        return Source.FromGraph(new TailOrCatchUpSource(
            _tails,
            _retentionAwarePool,
            new TopicPartition(topic, partition),
            StartPosition.At(offset),
            _options,
            _budget,
            (tp, ct) => OffsetAsync(tp, OffsetSpec.Earliest(), ct)));
    }

    public IArchiveReader OpenArchiveReader(string topic, int partition, long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return new KafkaArchiveReader(_options, _log, topic, partition, offset);
    }

    public async Task<(long Earliest, long End)> RetainedRangeAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        var topicPartition = new TopicPartition(topic, partition);
        var earliest = await OffsetAsync(topicPartition, OffsetSpec.Earliest(), cancellationToken).ConfigureAwait(false);
        var end = await OffsetAsync(topicPartition, OffsetSpec.Latest(), cancellationToken).ConfigureAwait(false);
        return (earliest, end);
    }

    public void Dispose()
    {
        // Registered in a container both as itself and as a records storage, so it may be disposed twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _pool.Dispose();
        _retentionAwarePool.Dispose();
        _metadata.Dispose();
        _lookingAdmin.Dispose();
        _creatingAdmin.Dispose();
        lock (_producerLock)
        {
            _producer.Dispose();
        }
    }

    /// <summary>Partition → the offset <paramref name="spec"/> names, for every partition of a topic; empty for an unknown topic.</summary>
    private async Task<IReadOnlyDictionary<int, long>> TopicOffsetsAsync(string topic, OffsetSpec spec, string what, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(_options.RequestTimeout);
        var partitions = await PartitionsOfAsync(topic, bounded.Token);
        return partitions.Count == 0
            ? new Dictionary<int, long>()
            : await PartitionOffsetsAsync(topic, partitions, spec, what, bounded);
    }

    /// <summary>The partitions of a topic, from its metadata; none for an unknown topic, which is not created.</summary>
    private async Task<IReadOnlyList<int>> PartitionsOfAsync(string topic, CancellationToken cancellationToken)
    {
        var metadata = await TopicMetadataAsync(topic, create: false, cancellationToken);
        if (metadata.Error.Code == ErrorCode.UnknownTopicOrPart)
        {
            return [];
        }

        if (metadata.Error.Code != ErrorCode.NoError)
        {
            throw KafkaErrors.Unavailable(metadata.Error, $"describing topic '{topic}'");
        }

        return [.. metadata.Partitions.Select(p => p.PartitionId)];
    }

    /// <summary>Partition → the offset <paramref name="spec"/> names, for the given partitions of a topic, in one request.</summary>
    /// <param name="bounded">the call's deadline: a cancellation by it is reported as the storage not answering in time</param>
    private async Task<IReadOnlyDictionary<int, long>> PartitionOffsetsAsync(
        string topic,
        IReadOnlyList<int> partitions,
        OffsetSpec spec,
        string what,
        CancellationTokenSource bounded)
    {
        var request = partitions.Select(p => new TopicPartitionOffsetSpec
        {
            TopicPartition = new TopicPartition(topic, p),
            OffsetSpec = spec,
        });
        try
        {
            var offsets = await _lookingAdmin
                .ListOffsetsAsync(request, new ListOffsetsOptions { RequestTimeout = LibrdkafkaTimeout })
                .WaitAsync(bounded.Token);
            return offsets.ResultInfos.ToDictionary(
                r => r.TopicPartitionOffsetError.Partition.Value,
                r => r.TopicPartitionOffsetError.Offset.Value);
        }
        catch (KafkaException e)
        {
            throw KafkaErrors.Unavailable(e.Error, $"reading the {what} of topic '{topic}'");
        }
        catch (OperationCanceledException e) when (bounded.IsCancellationRequested)
        {
            throw KafkaErrors.DeadlineReached($"the {what} of topic '{topic}'", e);
        }
    }

    /// <summary>The offset of one partition's oldest retained record, or of the next record to be written.</summary>
    private async Task<long> OffsetAsync(TopicPartition topicPartition, OffsetSpec spec, CancellationToken cancellationToken)
    {
        try
        {
            // The admin call takes no token: the deadline stops waiting for it.
            var offsets = await Deadline.RunAsync(
                    _options.RequestTimeout,
                    _ => _lookingAdmin.ListOffsetsAsync(
                        [new TopicPartitionOffsetSpec { TopicPartition = topicPartition, OffsetSpec = spec }],
                        new ListOffsetsOptions { RequestTimeout = LibrdkafkaTimeout }),
                    cancellationToken)
                .ConfigureAwait(false);
            return offsets.ResultInfos.Single().TopicPartitionOffsetError.Offset.Value;
        }
        catch (KafkaException e)
        {
            throw KafkaErrors.Unavailable(e.Error, $"reading the offsets of {topicPartition}");
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            throw KafkaErrors.DeadlineReached($"the offsets of {topicPartition}", e);
        }
    }

    /// <summary>
    /// Kafka stamps records in whole milliseconds: a record is at or after a finer time only from the next whole
    /// millisecond on. Times before 1970 are the epoch, as negative times name Kafka's special offsets.
    /// </summary>
    internal static long KafkaMilliseconds(DateTimeOffset timestamp)
    {
        var sinceEpoch = timestamp - DateTimeOffset.UnixEpoch;
        return sinceEpoch <= TimeSpan.Zero ? 0 : (sinceEpoch.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
    }

    private async Task<TopicMetadata> TopicMetadataAsync(string topic, bool create, CancellationToken cancellationToken)
    {
        try
        {
            return await _metadata.DescribeAsync(topic, create, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            throw KafkaErrors.Unavailable(e.Error, $"describing topic '{topic}'");
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw KafkaErrors.DeadlineReached($"a metadata request for topic '{topic}'", e);
        }
    }

    private static async Task WaitBeforeRetry(string topic, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(TopicCreationRetry, cancellationToken);
        }
        catch (OperationCanceledException e)
        {
            throw KafkaErrors.DeadlineReached($"the creation of topic '{topic}'", e);
        }
    }

    /// <summary>
    /// A fatal error (an idempotence guarantee the producer can no longer keep) leaves it unusable: the next
    /// publish gets a new one.
    /// </summary>
    private void ReplaceIfFatal(IProducer<byte[]?, byte[]> failed, Error error)
    {
        if (!error.IsFatal)
        {
            return;
        }

        lock (_producerLock)
        {
            if (_producer != failed)
            {
                return;
            }

            _log(new LogMessage("producer", SyslogLevel.Error, "FATAL", $"replacing the producer after a fatal error: {error}"));
            Volatile.Write(ref _producer, BuildProducer());
        }

        // Records still queued in the failed producer fail on its own; closing it may wait for the brokers, so it is
        // disposed on a thread of its own rather than the caller's or the thread pool's.
        new Thread(failed.Dispose) { IsBackground = true, Name = "liiklus-kafka-producer-close" }.Start();
    }

    private IProducer<byte[]?, byte[]> BuildProducer() =>
        new ProducerBuilder<byte[]?, byte[]>(KafkaClientConfigs.Producer(_options))
            .SetLogHandler((_, message) => _log(message))
            .SetErrorHandler((_, error) => _log(KafkaErrors.AsLogMessage("producer", error)))
            .Build();

    private IAdminClient BuildAdmin(bool createTopics) =>
        new AdminClientBuilder(KafkaClientConfigs.Admin(_options, createTopics))
            .SetLogHandler((_, message) => _log(message))
            .Build();

    private static Headers? ToKafkaHeaders(IReadOnlyList<RecordHeader> headers)
    {
        if (headers.Count == 0)
        {
            return null;
        }

        var kafkaHeaders = new Headers();
        foreach (var header in headers)
        {
            kafkaHeaders.Add(header.Name, header.Value);
        }

        return kafkaHeaders;
    }
}
