using Akka;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Liiklus.Storage.Records.Kafka;

/// <summary>
/// Records in Kafka. One idempotent producer per node publishes (acks=all, murmur2 keys as Kafka's Java producer);
/// partition sources read through a small pool of consumers that assign partitions manually at the gateway's own
/// positions and never commit. Nothing here connects eagerly: while Kafka is down, calls fail with
/// <see cref="StorageUnavailableException"/> and work again once it is back.
/// </summary>
public sealed class KafkaRecordsStorage : IRecordsStorage, IDisposable
{
    private static readonly TimeSpan TopicCreationRetry = TimeSpan.FromMilliseconds(100);
    private readonly KafkaRecordsOptions _options;
    private readonly Action<LogMessage> _log;
    private readonly Lock _producerLock = new();
    private readonly IAdminClient _creatingAdmin;
    private readonly IAdminClient _lookingAdmin;
    private readonly KafkaConsumerPool _pool;
    private IProducer<byte[]?, byte[]> _producer;

    /// <param name="log">where librdkafka's and the storage's own log lines go; dropped when null</param>
    /// <exception cref="ArgumentException">no bootstrap servers</exception>
    /// <exception cref="InvalidOperationException">a property librdkafka does not accept</exception>
    public KafkaRecordsStorage(KafkaRecordsOptions options, Action<LogMessage>? log = null)
    {
        if (string.IsNullOrWhiteSpace(options.BootstrapServers))
        {
            throw new ArgumentException("Kafka bootstrap servers are required (kafka_bootstrapServers)", nameof(options));
        }

        _options = options;
        _log = WithoutScopeNotices(log ?? (_ => { }));
        _producer = BuildProducer();
        _creatingAdmin = BuildAdmin(createTopics: true);
        _lookingAdmin = BuildAdmin(createTopics: false);
        _pool = new KafkaConsumerPool(options, _log);
    }

    /// <summary>Consumers currently open; for tests and diagnostics.</summary>
    internal int ConsumerCount => _pool.ConsumerCount;

    /// <summary>Records each open partition source holds ahead of its stream.</summary>
    internal IReadOnlyList<int> BufferedRecords => _pool.BufferedRecords;

    /// <summary>Records fetched before their partition's pause took effect and fetched again after it.</summary>
    internal long LateRecords => _pool.LateRecords;

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
            var metadata = await TopicMetadataAsync(_creatingAdmin, topic, bounded.Token);
            switch (metadata.Error.Code)
            {
                case ErrorCode.NoError when metadata.Partitions.Count > 0:
                    return metadata.Partitions.Count;
                case ErrorCode.UnknownTopicOrPart:
                    throw new StorageUnavailableException(
                        $"topic '{topic}' does not exist and the Kafka brokers do not create topics on first use");
                case ErrorCode.NoError or ErrorCode.LeaderNotAvailable:
                    // Being created: brokers answer its partitions once they have leaders.
                    await WaitBeforeRetry(topic, bounded.Token);
                    break;
                default:
                    throw KafkaErrors.Unavailable(metadata.Error, $"describing topic '{topic}'");
            }
        }
    }

    public async Task<IReadOnlyDictionary<int, long>> GetEndOffsetsAsync(string topic, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(_options.RequestTimeout);
        var metadata = await TopicMetadataAsync(_lookingAdmin, topic, bounded.Token);
        if (metadata.Error.Code == ErrorCode.UnknownTopicOrPart)
        {
            return new Dictionary<int, long>();
        }

        if (metadata.Error.Code != ErrorCode.NoError)
        {
            throw KafkaErrors.Unavailable(metadata.Error, $"describing topic '{topic}'");
        }

        var request = metadata.Partitions.Select(p => new TopicPartitionOffsetSpec
        {
            TopicPartition = new TopicPartition(topic, p.PartitionId),
            OffsetSpec = OffsetSpec.Latest(),
        });
        try
        {
            var offsets = await _lookingAdmin
                .ListOffsetsAsync(request, new ListOffsetsOptions { RequestTimeout = _options.RequestTimeout })
                .WaitAsync(bounded.Token);
            // The high watermark is the offset the next record will get.
            return offsets.ResultInfos.ToDictionary(
                r => r.TopicPartitionOffsetError.Partition.Value,
                r => r.TopicPartitionOffsetError.Offset.Value - 1);
        }
        catch (KafkaException e)
        {
            throw KafkaErrors.Unavailable(e.Error, $"reading the end offsets of topic '{topic}'");
        }
        catch (OperationCanceledException e) when (bounded.IsCancellationRequested)
        {
            throw KafkaErrors.DeadlineReached($"the end offsets of topic '{topic}'", e);
        }
    }

    public Source<IReadOnlyList<StoredRecord>, NotUsed> PartitionSource(string topic, int partition, StartPosition start)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        return Source.FromGraph(new KafkaPartitionSource(_pool, new TopicPartition(topic, partition), start, _options));
    }

    public void Dispose()
    {
        _pool.Dispose();
        _lookingAdmin.Dispose();
        _creatingAdmin.Dispose();
        lock (_producerLock)
        {
            _producer.Dispose();
        }
    }

    /// <summary>
    /// librdkafka's metadata call blocks: it runs on the thread pool, bounded by the request timeout, and the
    /// caller stops waiting at its own deadline.
    /// </summary>
    private async Task<TopicMetadata> TopicMetadataAsync(IAdminClient admin, string topic, CancellationToken cancellationToken)
    {
        try
        {
            var metadata = await Task.Run(() => admin.GetMetadata(topic, _options.RequestTimeout), CancellationToken.None)
                .WaitAsync(cancellationToken);
            return metadata.Topics.Single(t => t.Topic == topic);
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

        // Records still queued in the failed producer fail on its own; dispose it away from the caller.
        _ = Task.Run(failed.Dispose);
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

    /// <summary>
    /// Every client gets the one set of operator properties, so each warns about the properties of the other kind
    /// ("... is a consumer property and will be ignored by this producer instance"): expected, hence dropped.
    /// </summary>
    private static Action<LogMessage> WithoutScopeNotices(Action<LogMessage> log) => message =>
    {
        if (!(message.Facility == "CONFWARN" && message.Message.Contains("will be ignored by this", StringComparison.Ordinal)))
        {
            log(message);
        }
    };

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
