using Akka.Configuration.Hocon;
using Liiklus.Storage.Kafka;
using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Kafka;
using Config = Akka.Configuration.Config;
using LogMessage = Confluent.Kafka.LogMessage;

namespace Liiklus.Api.Configuration;

/// <summary>
/// Reads <c>liiklus.storage.kafka</c>, registers the Kafka records storage, and bridges librdkafka's log lines to
/// ASP.NET Core logging.
/// </summary>
public static class KafkaSettings
{
    /// <exception cref="InvalidOperationException">no bootstrap servers are configured</exception>
    public static IServiceCollection AddKafkaRecordsStorage(this IServiceCollection services, KafkaRecordsOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.BootstrapServers))
        {
            throw new InvalidOperationException(
                "storage_records_type KAFKA needs kafka_bootstrapServers (liiklus.storage.kafka.bootstrap-servers)");
        }

        // A factory, not an instance: the container then disposes it, closing the Kafka clients on shutdown.
        // Nothing connects here, so the gateway starts while Kafka is down.
        return services.AddSingleton<IRecordsStorage>(provider =>
            new KafkaRecordsStorage(options, LogTo(provider.GetRequiredService<ILogger<KafkaRecordsStorage>>())));
    }

    public static KafkaRecordsOptions From(Config liiklus)
    {
        var kafka = liiklus.GetConfig("storage.kafka");
        return new KafkaRecordsOptions(kafka.GetString("bootstrap-servers", "").Trim())
        {
            Properties = LibrdkafkaProperties(kafka),
            DeliveryTimeout = kafka.GetTimeSpan("delivery-timeout"),
            RequestTimeout = kafka.GetTimeSpan("request-timeout"),
            ReaderBufferRecords = kafka.GetInt("reader-buffer.records"),
            ReaderBufferBytes = kafka.GetLong("reader-buffer.bytes"),
            PollTimeout = kafka.GetTimeSpan("poll-timeout"),
            ReadersPerConsumer = kafka.GetInt("readers-per-consumer"),
            SpreadOverConsumers = kafka.GetInt("spread-over-consumers"),
            ConsumerIdleTimeout = kafka.GetTimeSpan("consumer-idle-timeout"),
        };
    }

    // issue 14: the bridge moved to Liiklus.Storage, which the Kafka positions storage logs through too.
    public static Action<LogMessage> LogTo(ILogger logger) => LibrdkafkaLog.To(logger);

    /// <summary>
    /// Every leaf under <c>properties</c>, named by its path: a quoted key (<c>"security.protocol" = SASL_SSL</c>)
    /// and an unquoted one, which HOCON nests (<c>security.protocol = SASL_SSL</c>), both give
    /// <c>security.protocol</c>.
    /// </summary>
    /// <remarks>issue 14: also reads the Kafka positions storage's own <c>properties</c>.</remarks>
    internal static Dictionary<string, string> LibrdkafkaProperties(Config kafka)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        if (kafka.HasPath("properties"))
        {
            Flatten(kafka.GetValue("properties"), "", properties);
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
