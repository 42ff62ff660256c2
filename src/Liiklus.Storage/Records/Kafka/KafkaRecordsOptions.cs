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

    /// <summary>How long a topic's partition count is reused before the brokers are asked again.</summary>
    public TimeSpan MetadataMaxAge { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Records a partition buffer holds ahead of its stream; when full, its partition is paused. A pause throws
    /// away what the consumer had already fetched for the partition, so the bound must be several fetches
    /// (<c>max.partition.fetch.bytes</c>) deep, or a fast stream pauses on every fetch burst and crawls.
    /// </summary>
    public int ReaderBufferRecords { get; init; } = 10_000;

    /// <summary>The same bound in bytes (key, value and headers).</summary>
    public long ReaderBufferBytes { get; init; } = 2 * 1024 * 1024;

    /// <summary>
    /// Whether pooled consumers take records from librdkafka's queue in batches (the default), or one by one through
    /// Confluent.Kafka's <c>Consume</c>, as they also do when librdkafka cannot be called directly.
    /// </summary>
    internal bool ReadInBatches { get; init; } = true;

    /// <summary>Longest one poll of a pooled consumer blocks: assignments and resumes wait for the poll in progress.</summary>
    public TimeSpan PollTimeout { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Partitions one pooled consumer serves before the pool opens another (while it may): one poll thread carries
    /// every partition it serves.
    /// </summary>
    public int ReadersPerConsumer { get; init; } = 100;

    /// <summary>
    /// Consumers the pool opens before two partitions share one, so that concurrent fetches are polled by that many
    /// threads. 0, the default, means one per core.
    /// </summary>
    public int SpreadOverConsumers { get; init; }

    internal int ConsumersToSpreadOver => Math.Min(SpreadOverConsumers > 0 ? SpreadOverConsumers : Environment.ProcessorCount, MaxConsumers);

    /// <summary>
    /// Consumers the node opens at most, whatever the number of streams, groups or positions; each has one poll thread
    /// and librdkafka's threads. A partition can be fetched by at most this many readers at once on a node (the shared
    /// tail and readers catching up to it).
    /// </summary>
    public int MaxConsumers { get; init; } = 4;

    /// <summary>A pooled consumer left without partitions for this long is closed.</summary>
    public TimeSpan ConsumerIdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Bytes of a partition's newest records kept in its shared tail window: streams at the tail read them in place,
    /// and a stream that falls further behind than this catches up through a fetch of its own.
    /// </summary>
    public long SharedTailWindowBytes { get; init; } = 2 * 1024 * 1024;

    /// <summary>
    /// Bytes every shared tail window of the node holds together: past it, each window gives up its oldest records
    /// first (streams behind them catch up on their own), so many active partitions do not add up without bound.
    /// </summary>
    public long SharedTailWindowsBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>A shared tail without streams for this long stops fetching.</summary>
    public TimeSpan SharedTailIdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A shared fetch that fails starts again from the window's end after this backoff, doubling up to
    /// <see cref="SharedTailRestartMaxBackoff"/>: a passing failure must not end every stream reading the partition.
    /// </summary>
    public TimeSpan SharedTailRestartMinBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan SharedTailRestartMaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Restarts of one shared fetch within a minute before its failure is the streams' failure (UNAVAILABLE): a
    /// partition that keeps failing is reported, not retried silently for ever.
    /// </summary>
    public int SharedTailMaxRestarts { get; init; } = 5;
}
