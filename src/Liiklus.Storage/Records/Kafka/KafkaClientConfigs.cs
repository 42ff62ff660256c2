using System.Globalization;
using Confluent.Kafka;

namespace Liiklus.Storage.Records.Kafka;

/// <summary>
/// The librdkafka configurations of the gateway's clients: its defaults, then the operator's properties, then
/// what the storage's correctness depends on, which nothing overrides.
/// </summary>
internal static class KafkaClientConfigs
{
    /// <summary>Consumers need a group id, but never join the group and never commit to it.</summary>
    public const string UnusedGroupId = "liiklus-gateway-no-commit";

    public static ProducerConfig Producer(KafkaRecordsOptions options)
    {
        var config = new ProducerConfig(Layered(options, new Dictionary<string, string>
        {
            ["client.id"] = "liiklus-gateway",
            ["message.timeout.ms"] = Milliseconds(options.DeliveryTimeout),
        }));
        config.Acks = Acks.All;
        config.EnableIdempotence = true;
        // Java-compatible key hashing; records without a key are spread at random.
        config.Partitioner = Partitioner.Murmur2Random;
        return config;
    }

    /// <param name="failBelowRetention">
    /// whether an offset older than retention fails its partition (Local_AutoOffsetReset) instead of moving to the oldest
    /// retained record: what a reader that can fetch the missing records elsewhere (the cold store) needs to learn
    /// </param>
    public static ConsumerConfig Consumer(KafkaRecordsOptions options, bool failBelowRetention = false)
    {
        var config = new ConsumerConfig(Layered(options, new Dictionary<string, string>
        {
            ["client.id"] = "liiklus-gateway",
            // Tailing partitions: an empty fetch should come back soon.
            ["fetch.wait.max.ms"] = "50",
            // Prefetch is per consumer, which serves many partitions: keep it to a few MB.
            ["queued.max.messages.kbytes"] = "16384",
            // And per partition, no deeper than what a reader's buffer takes after a resume (half of it): a pause
            // throws away what librdkafka prefetched for the partition, and librdkafka's own depth (100,000 records)
            // had a fast stream fetch much of its partition twice, a cost in fetches, bytes and CPU per record.
            ["queued.min.messages"] = Math.Max(1, options.ReaderBufferRecords / 2).ToString(CultureInfo.InvariantCulture),
            // Once that prefetch is full, librdkafka waits this long (1 s by default) before fetching the partition
            // again: a stream that drains the prefetch faster would then idle for most of each second.
            ["fetch.queue.backoff.ms"] = "10",
            // A fetch burst must fit well within a reader's buffer (see ReaderBufferBytes).
            ["max.partition.fetch.bytes"] = "262144",
        }));
        config.GroupId = UnusedGroupId;
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        config.EnablePartitionEof = false;
        // An offset older than retention starts at the oldest retained record, unless the reader asked to be told.
        config.AutoOffsetReset = failBelowRetention ? AutoOffsetReset.Error : AutoOffsetReset.Earliest;
        config.AllowAutoCreateTopics = false;
        return config;
    }

    /// <param name="createTopics">
    /// whether a metadata request for an unknown topic may create it (the brokers' own setting still decides)
    /// </param>
    public static AdminClientConfig Admin(KafkaRecordsOptions options, bool createTopics)
    {
        var config = new AdminClientConfig(Layered(options, new Dictionary<string, string> { ["client.id"] = "liiklus-gateway" }));
        config.Set("allow.auto.create.topics", createTopics ? "true" : "false");
        return config;
    }

    private static Dictionary<string, string> Layered(KafkaRecordsOptions options, Dictionary<string, string> defaults)
    {
        foreach (var (name, value) in options.Properties)
        {
            defaults[name] = value;
        }

        defaults["bootstrap.servers"] = options.BootstrapServers;
        return defaults;
    }

    private static string Milliseconds(TimeSpan value) =>
        ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
}
