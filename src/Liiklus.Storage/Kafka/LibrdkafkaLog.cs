using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Liiklus.Storage.Kafka;

/// <summary>librdkafka's log lines and error events, as structured log entries at the level each calls for.</summary>
public static class LibrdkafkaLog
{
    public static Action<LogMessage> To(ILogger logger) => message =>
    {
        var level = (LogLevel)message.LevelAs(LogLevelType.MicrosoftExtensionsLogging);
        if (logger.IsEnabled(level))
        {
            logger.Log(level, "[{Client}] {Facility}: {Message}", message.Name, message.Facility, message.Message);
        }
    };
}
