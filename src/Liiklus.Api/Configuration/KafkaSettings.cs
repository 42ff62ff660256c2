using Akka.Configuration.Hocon;
using Config = Akka.Configuration.Config;
using LogMessage = Confluent.Kafka.LogMessage;
using LogLevelType = Confluent.Kafka.LogLevelType;
using Liiklus.Storage.Records.Kafka;

namespace Liiklus.Api.Configuration;

/// <summary>Reads <c>liiklus.storage.kafka</c>, and bridges librdkafka's log lines to ASP.NET Core logging.</summary>
public static class KafkaSettings
{
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
            ConsumerIdleTimeout = kafka.GetTimeSpan("consumer-idle-timeout"),
        };
    }

    public static Action<LogMessage> LogTo(ILogger logger) => message =>
    {
        var level = (LogLevel)message.LevelAs(LogLevelType.MicrosoftExtensionsLogging);
        if (logger.IsEnabled(level))
        {
            logger.Log(level, "[{Client}] {Facility}: {Message}", message.Name, message.Facility, message.Message);
        }
    };

    /// <summary>
    /// Every leaf under <c>properties</c>, named by its path: a quoted key (<c>"security.protocol" = SASL_SSL</c>)
    /// and an unquoted one, which HOCON nests (<c>security.protocol = SASL_SSL</c>), both give
    /// <c>security.protocol</c>.
    /// </summary>
    private static Dictionary<string, string> LibrdkafkaProperties(Config kafka)
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
