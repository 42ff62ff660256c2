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
    public static KafkaPositionsOptions From(Config config, SettingsReader read, KafkaRecordsOptions records)
    {
        var own = read.String("liiklus.storage.kafka-positions.bootstrap-servers").Trim();
        var properties = own.Length > 0 ? [] : new Dictionary<string, string>(records.Properties);
        foreach (var (name, value) in KafkaSettings.LibrdkafkaProperties(config, "liiklus.storage.kafka-positions.properties"))
        {
            properties[name] = value;
        }

        return new KafkaPositionsOptions(own.Length > 0 ? own : records.BootstrapServers)
        {
            Properties = properties,
            GroupIdPrefix = read.String("liiklus.storage.kafka-positions.group-id-prefix"),
            CommandTimeout = read.Duration("liiklus.storage.kafka-positions.command-timeout", TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1)),
            ListGroups = read.Bool("liiklus.storage.kafka-positions.list-groups"),
            DeleteOffsets = read.Bool("liiklus.storage.kafka-positions.delete-offsets"),
        };
    }
}
