using Akka.Configuration;
using Liiklus.Api.Configuration;
using Liiklus.Api.Hosting;
using Xunit;

namespace Liiklus.Tests.Api;

public sealed class KafkaSettingsSpecs
{
    [Fact]
    public void Kafka_is_chosen_and_found_through_liiklus_environment_variables()
    {
        var environment = new Dictionary<string, string>
        {
            ["storage_records_type"] = "KAFKA",
            ["kafka_bootstrapServers"] = "broker-1:9092,broker-2:9092",
        };

        var settings = GatewaySettings.From(GatewayHocon.Load(null, environment.GetValueOrDefault));

        Assert.Equal("KAFKA", settings.RecordsStorageType);
        Assert.Equal("broker-1:9092,broker-2:9092", settings.Kafka.BootstrapServers);
    }

    [Fact]
    public void Librdkafka_properties_pass_through_whether_their_names_are_quoted_or_not()
    {
        var overrides = ConfigurationFactory.ParseString("""
            liiklus.storage.kafka.properties {
              "security.protocol" = SASL_SSL
              sasl.mechanism = PLAIN
              "sasl.username" = "user"
              "ssl.ca.location" = "/etc/ssl/kafka ca.pem"
            }
            """);

        var settings = GatewaySettings.From(GatewayHocon.Load(overrides, _ => null));

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["security.protocol"] = "SASL_SSL",
                ["sasl.mechanism"] = "PLAIN",
                ["sasl.username"] = "user",
                ["ssl.ca.location"] = "/etc/ssl/kafka ca.pem",
            },
            settings.Kafka.Properties);
    }

    [Fact]
    public void Kafka_without_bootstrap_servers_stops_start_up_naming_the_variable()
    {
        var overrides = ConfigurationFactory.ParseString("liiklus.storage.records.type = KAFKA");

        var refused = Assert.Throws<SettingsException>(() => GatewayHost.Build([], overrides));

        Assert.Contains("kafka_bootstrapServers", refused.Message);
    }
}
