namespace Liiklus.Storage.Records.Kafka;

/// <summary>How the gateway talks to Kafka.</summary>
/// <param name="BootstrapServers">comma-separated <c>host:port</c> list</param>
public sealed record KafkaRecordsOptions(string BootstrapServers)
{
    /// <summary>
    /// librdkafka properties given to the producer, the consumers and the admin clients (TLS, SASL, tuning). They
    /// win over the gateway's defaults, not over what the gateway relies on: acks=all, idempotence, murmur2
    /// partitioning, and consumers that never join a group nor commit.
    /// </summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    /// <summary>How long a publish waits for the brokers' acknowledgement (<c>message.timeout.ms</c>).</summary>
    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bound of one metadata or offsets request; the call's own deadline may end it sooner.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Records a partition reader holds ahead of its stream; when full, its partition is paused. A pause throws
    /// away what the consumer had already fetched for the partition, so the bound must be several fetches
    /// (<c>max.partition.fetch.bytes</c>) deep, or a fast stream pauses on every fetch burst and crawls.
    /// </summary>
    public int ReaderBufferRecords { get; init; } = 10_000;

    /// <summary>The same bound in bytes (key, value and headers).</summary>
    public long ReaderBufferBytes { get; init; } = 2 * 1024 * 1024;

    /// <summary>Longest one poll of a pooled consumer blocks: assignments and resumes wait for the poll in progress.</summary>
    public TimeSpan PollTimeout { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Partitions one pooled consumer serves before the pool opens another: one poll thread carries every stream
    /// it serves (measured: ~300k records/s for one stream on the mock cluster).
    /// </summary>
    public int ReadersPerConsumer { get; init; } = 100;

    /// <summary>
    /// Consumers the pool opens before two readers share one, so that concurrent streams are polled by that many
    /// threads (measured over 8 partitions on 2 cores: two consumers carry about twice what one does). 0, the
    /// default, means one per core.
    /// </summary>
    public int SpreadOverConsumers { get; init; }

    internal int ConsumersToSpreadOver => SpreadOverConsumers > 0 ? SpreadOverConsumers : Environment.ProcessorCount;

    /// <summary>A pooled consumer left without readers for this long is closed.</summary>
    public TimeSpan ConsumerIdleTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
