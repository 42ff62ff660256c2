using Liiklus.Storage.Positions.Kafka;
using Liiklus.Storage.Records.Kafka;
using Config = Akka.Configuration.Config;

namespace Liiklus.Api.Configuration;

/// <summary>
/// Reads <c>liiklus.storage.kafka-positions</c>. Without bootstrap servers of its own the storage commits to the
/// records storage's Kafka, with its librdkafka properties and this section's on top; with its own, only this
/// section's properties apply.
/// </summary>
public static class KafkaPositionsSettings
{
    /// <exception cref="InvalidOperationException">list-groups is not a boolean</exception>
    public static KafkaPositionsOptions From(Config liiklus, KafkaRecordsOptions records)
    {
        var section = liiklus.GetConfig("storage.kafka-positions");
        var own = section.GetString("bootstrap-servers", "").Trim();
        var properties = own.Length > 0 ? [] : new Dictionary<string, string>(records.Properties);
        foreach (var (name, value) in KafkaSettings.LibrdkafkaProperties(section))
        {
            properties[name] = value;
        }

        return new KafkaPositionsOptions(own.Length > 0 ? own : records.BootstrapServers)
        {
            Properties = properties,
            GroupIdPrefix = section.GetString("group-id-prefix", ""),
            CommandTimeout = section.GetTimeSpan("command-timeout"),
            ListGroups = section.GetString("list-groups", "off").Trim().ToLowerInvariant() switch
            {
                "true" or "on" or "yes" => true,
                "false" or "off" or "no" or "" => false,
                var other => throw new InvalidOperationException(
                    $"liiklus.storage.kafka-positions.list-groups '{other}' is not on or off"),
            },
        };
    }
}
