using Akka.Configuration.Hocon;
using Liiklus.Storage.Records.Kafka;
using Config = Akka.Configuration.Config;

namespace Liiklus.Api.Configuration;

/// <summary>Reads <c>liiklus.storage.kafka</c>.</summary>
public static class KafkaSettings
{
    private static readonly TimeSpan Millisecond = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    public static KafkaRecordsOptions From(Config config, SettingsReader read) =>
        new(read.String("liiklus.storage.kafka.bootstrap-servers").Trim())
        {
            Properties = LibrdkafkaProperties(config),
            DeliveryTimeout = read.Duration("liiklus.storage.kafka.delivery-timeout", Millisecond, Hour),
            RequestTimeout = read.Duration("liiklus.storage.kafka.request-timeout", Millisecond, Hour),
            MetadataMaxAge = read.Duration("liiklus.storage.kafka.metadata-max-age", TimeSpan.Zero, Hour),
            ReaderBufferRecords = read.Int("liiklus.storage.kafka.reader-buffer.records", 2, 10_000_000),
            ReaderBufferBytes = read.Bytes("liiklus.storage.kafka.reader-buffer.bytes", 1024, 1024L * 1024 * 1024),
            PollTimeout = read.Duration("liiklus.storage.kafka.poll-timeout", Millisecond, TimeSpan.FromSeconds(10)),
            ReadersPerConsumer = read.Int("liiklus.storage.kafka.readers-per-consumer", 1, 100_000),
            SpreadOverConsumers = read.Int("liiklus.storage.kafka.spread-over-consumers", 0, 1024),
            MaxConsumers = read.Int("liiklus.storage.kafka.max-consumers", 1, 1024),
            ConsumerIdleTimeout = read.Duration("liiklus.storage.kafka.consumer-idle-timeout", Millisecond, TimeSpan.FromDays(1)),
            SharedTailWindowBytes = read.Bytes("liiklus.storage.kafka.shared-tail.window-bytes", 1024, 1024L * 1024 * 1024),
            SharedTailWindowsBytes = read.Bytes("liiklus.storage.kafka.shared-tail.windows-bytes", 1024 * 1024, 1024L * 1024 * 1024 * 1024),
            SharedTailIdleTimeout = read.Duration("liiklus.storage.kafka.shared-tail.idle-timeout", Millisecond, TimeSpan.FromDays(1)),
            SharedTailRestartMinBackoff = read.Duration("liiklus.storage.kafka.shared-tail.restart.min-backoff", Millisecond, Hour),
            SharedTailRestartMaxBackoff = read.Duration("liiklus.storage.kafka.shared-tail.restart.max-backoff", Millisecond, Hour),
            SharedTailMaxRestarts = read.Int("liiklus.storage.kafka.shared-tail.restart.max-restarts", 0, 1000),
        };

    /// <summary>
    /// Every leaf under <c>properties</c>, named by its path: a quoted key (<c>"security.protocol" = SASL_SSL</c>)
    /// and an unquoted one, which HOCON nests (<c>security.protocol = SASL_SSL</c>), both give
    /// <c>security.protocol</c>.
    /// </summary>
    internal static Dictionary<string, string> LibrdkafkaProperties(Config config, string path = "liiklus.storage.kafka.properties")
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        if (config.HasPath(path))
        {
            Flatten(config.GetValue(path), "", properties);
        }

        return properties;
    }

    private static void Flatten(HoconValue value, string prefix, Dictionary<string, string> into)
    {
        if (value.IsObject())
        {
            foreach (var (key, child) in value.GetObject().Items)
            {
                Flatten(child, prefix.Length == 0 ? key : $"{prefix}.{key}", into);
            }

            return;
        }

        into[prefix] = value.GetString();
    }
}
