namespace Liiklus.Client;

/// <summary>How a <see cref="LiiklusConsumer"/> consumes; every setting has a working default.</summary>
public sealed class LiiklusConsumerOptions
{
    /// <summary>Where a group with nothing acknowledged starts.</summary>
    public OffsetReset OffsetReset { get; set; } = OffsetReset.Earliest;

    /// <summary>Acknowledge after handling (default) or before.</summary>
    public AckMode AckMode { get; set; } = AckMode.AtLeastOnce;

    /// <summary>A partition's position is acknowledged once this many records were handled since the last time…</summary>
    public int AckBatchSize { get; set; } = 1000;

    /// <summary>…or when this much time passed with handled records not yet acknowledged.</summary>
    public TimeSpan AckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many partitions handle a record at the same time.</summary>
    public int MaxConcurrentPartitions { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>
    /// The most records of a partition taken from its Receive at once: a handler handles them one after the other
    /// before the Receive is read again (meanwhile the gRPC stream's own buffer reads ahead), a partition stream
    /// finds up to this many read ahead while its reader handles one.
    /// </summary>
    public int PrefetchPerPartition { get; set; } = 256;

    /// <summary>Attempts right after a failed one, before delayed retries.</summary>
    public int ImmediateRetries { get; set; } = 2;

    /// <summary>Attempts after a growing delay once the immediate ones failed; then the record is dead-lettered.</summary>
    public int DelayedRetries { get; set; } = 3;

    /// <summary>The first delayed retry's delay; each next one doubles it.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between two attempts (also between two dead-letter publishes that failed).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The dead-letter topic; null: <c>&lt;topic&gt;.dlt</c>.</summary>
    public string? DeadLetterTopic { get; set; }

    /// <summary>The first wait before subscribing again after the connection dropped; doubles per failure, jittered.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait before subscribing again.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the acknowledgement sent when a partition is revoked, replaced or stopped may take.</summary>
    public TimeSpan FinalAckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a partition gained from another consumer waits for that consumer's last acknowledgement (sent when
    /// the gateway revoked it) before the group's position is read again and its records are handled: the protocol
    /// hands a partition over without waiting for it. Zero: handle at once, at the risk of repeating the previous
    /// owner's last batch.
    /// </summary>
    public TimeSpan HandoffDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the lag (end offsets against handled offsets) is measured for the metrics; zero: never.</summary>
    public TimeSpan LagInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The dead-letter topic of <paramref name="topic"/>.</summary>
    public string DeadLetterTopicOf(string topic) => DeadLetterTopic ?? $"{topic}.dlt";

    /// <summary>Throws when a setting cannot work, naming it.</summary>
    public void Validate()
    {
        Positive(AckBatchSize, nameof(AckBatchSize));
        Positive(AckInterval, nameof(AckInterval));
        Positive(MaxConcurrentPartitions, nameof(MaxConcurrentPartitions));
        Positive(PrefetchPerPartition, nameof(PrefetchPerPartition));
        NotNegative(ImmediateRetries, nameof(ImmediateRetries));
        NotNegative(DelayedRetries, nameof(DelayedRetries));
        Positive(RetryDelay, nameof(RetryDelay));
        Positive(MaxRetryDelay, nameof(MaxRetryDelay));
        Positive(ReconnectDelay, nameof(ReconnectDelay));
        Positive(MaxReconnectDelay, nameof(MaxReconnectDelay));
        Positive(FinalAckTimeout, nameof(FinalAckTimeout));
        if (HandoffDelay < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(HandoffDelay)} must not be negative, was {HandoffDelay}", nameof(HandoffDelay));
        }

        if (LagInterval < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(LagInterval)} must not be negative, was {LagInterval}", nameof(LagInterval));
        }

        if (DeadLetterTopic is { Length: 0 })
        {
            throw new ArgumentException($"{nameof(DeadLetterTopic)} must not be empty (null: <topic>.dlt)", nameof(DeadLetterTopic));
        }

        if (!Enum.IsDefined(AckMode))
        {
            throw new ArgumentException($"{nameof(AckMode)} {AckMode} is unknown", nameof(AckMode));
        }
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"{name} must be positive, was {value}", name);
        }
    }

    private static void NotNegative(int value, string name)
    {
        if (value < 0)
        {
            throw new ArgumentException($"{name} must not be negative, was {value}", name);
        }
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{name} must be positive, was {value}", name);
        }
    }
}
