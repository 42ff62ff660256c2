using Akka.Configuration;
using Liiklus.Api.Configuration;
using Liiklus.Api.Hosting;
using Liiklus.Storage.Positions.Postgres;
using Xunit;

namespace Liiklus.Tests.Storage;

/// <summary>The KAFKA, DYNAMODB and POSTGRES positions storages' settings: Liiklus's variables, defaults, and refusals at start.</summary>
public sealed class PositionsStorageSettingsSpecs
{
    [Fact]
    public void Liiklus_dynamodb_variables_select_the_storage_and_set_it_up()
    {
        var settings = FromEnvironment(new()
        {
            ["storage_positions_type"] = "dynamodb",
            ["dynamodb_endpoint"] = "http://localhost:4567",
            ["dynamodb_positionsTable"] = "liiklus-positions",
            ["dynamodb_autoCreateTable"] = "true",
        });

        Assert.Equal("DYNAMODB", settings.PositionsStorageType);
        Assert.Equal("http://localhost:4567", settings.DynamoDb.Endpoint);
        Assert.Equal("liiklus-positions", settings.DynamoDb.PositionsTable);
        Assert.True(settings.DynamoDb.AutoCreateTable);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.DynamoDb.CommandTimeout);
    }

    [Fact]
    public void Dynamodb_defaults_to_aws_endpoint_and_no_table_creation()
    {
        var settings = FromEnvironment(new() { ["dynamodb_positionsTable"] = "positions" });

        Assert.Null(settings.DynamoDb.Endpoint);
        Assert.False(settings.DynamoDb.AutoCreateTable);
    }

    [Theory]
    [InlineData("", "dynamodb_positionsTable")]
    [InlineData("ab", "dynamodb_positionsTable 'ab' is not a DynamoDB table name")]
    public void Dynamodb_without_a_valid_table_stops_start_up_naming_the_variable(string table, string expected)
    {
        var refused = RefusedAtStart(new() { ["storage_positions_type"] = "DYNAMODB", ["dynamodb_positionsTable"] = table });

        Assert.Contains(expected, refused.Message);
    }

    [Fact]
    public void Dynamodb_auto_create_table_must_be_true_or_false()
    {
        var refused = RefusedAtStart(new() { ["storage_positions_type"] = "DYNAMODB", ["dynamodb_positionsTable"] = "positions", ["dynamodb_autoCreateTable"] = "maybe" });

        Assert.Contains("dynamodb_autoCreateTable (liiklus.storage.dynamodb.auto-create-table) = 'maybe' is not allowed; allowed: true or false", refused.Message);
    }

    [Fact]
    public void Dynamodb_endpoint_must_be_an_absolute_url()
    {
        var refused = RefusedAtStart(new() { ["storage_positions_type"] = "DYNAMODB", ["dynamodb_positionsTable"] = "positions", ["dynamodb_endpoint"] = "localhost:4567" });

        Assert.Contains("dynamodb_endpoint 'localhost:4567' is not an absolute http(s) URL", refused.Message);
    }

    [Fact]
    public void Postgres_connection_string_comes_from_its_variable()
    {
        var settings = FromEnvironment(new()
        {
            ["storage_positions_type"] = "POSTGRES",
            ["postgres_connectionString"] = "Host=db;Port=5433;Database=liiklus;Username=gateway;Password=s3cret",
        });

        Assert.Equal("POSTGRES", settings.PositionsStorageType);
        Assert.Equal("Host=db;Port=5433;Database=liiklus;Username=gateway;Password=s3cret", settings.Postgres.ConnectionString);
        Assert.Equal("db:5433/liiklus", settings.Postgres.Endpoint);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Postgres.CommandTimeout);
    }

    [Fact]
    public void Postgres_without_a_usable_connection_string_stops_start_up_naming_the_variable_and_never_the_password()
    {
        var missing = RefusedAtStart(new() { ["storage_positions_type"] = "POSTGRES" });
        var unreadable = RefusedAtStart(new() { ["storage_positions_type"] = "POSTGRES", ["postgres_connectionString"] = "Host=db;Password=s3cret;Colour=blue" });

        Assert.Contains("postgres_connectionString (liiklus.storage.postgres.connection-string) = '' is not allowed", missing.Message);
        Assert.Contains("postgres_connectionString is not an Npgsql connection string", unreadable.Message);
        Assert.DoesNotContain("s3cret", unreadable.Message);
    }

    [Fact]
    public void Printed_postgres_settings_never_show_the_password()
    {
        var options = new PostgresPositionsOptions { ConnectionString = "Host=db;Username=gateway;Password=s3cret" };

        Assert.DoesNotContain("s3cret", options.ToString());
        Assert.Contains("db:5432", options.ToString());
    }

    [Fact]
    public void Kafka_positions_use_the_records_storages_kafka_and_properties_with_their_own_on_top()
    {
        var settings = GatewaySettings.From(GatewayHocon.Load(ConfigurationFactory.ParseString("""
            liiklus.storage.kafka.properties { "security.protocol" = SASL_SSL, "client.rack" = a }
            liiklus.storage.kafka-positions.properties { "client.rack" = b }
            """), new Dictionary<string, string>
        {
            ["storage_records_type"] = "KAFKA",
            ["storage_positions_type"] = "KAFKA",
            ["kafka_bootstrapServers"] = "broker:9092",
            ["kafka_positionsGroupIdPrefix"] = "liiklus.",
        }.GetValueOrDefault));

        Assert.Equal("KAFKA", settings.PositionsStorageType);
        Assert.Equal("broker:9092", settings.KafkaPositions.BootstrapServers);
        Assert.Equal(new Dictionary<string, string> { ["security.protocol"] = "SASL_SSL", ["client.rack"] = "b" }, settings.KafkaPositions.Properties);
        Assert.Equal("liiklus.", settings.KafkaPositions.GroupIdPrefix);
        Assert.False(settings.KafkaPositions.ListGroups);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.KafkaPositions.CommandTimeout);
    }

    [Fact]
    public void Kafka_positions_set_apart_take_only_their_own_properties()
    {
        var settings = GatewaySettings.From(GatewayHocon.Load(ConfigurationFactory.ParseString("""
            liiklus.storage.kafka.properties { "sasl.password" = records-secret }
            liiklus.storage.kafka-positions.properties { "security.protocol" = SSL }
            """), new Dictionary<string, string>
        {
            ["kafka_bootstrapServers"] = "records:9092",
            ["kafka_positionsBootstrapServers"] = "positions:9092",
        }.GetValueOrDefault));

        Assert.Equal("positions:9092", settings.KafkaPositions.BootstrapServers);
        Assert.Equal(new Dictionary<string, string> { ["security.protocol"] = "SSL" }, settings.KafkaPositions.Properties);
        Assert.DoesNotContain("records-secret", settings.KafkaPositions.ToString());
    }

    [Fact]
    public void Kafka_positions_without_kafka_records_stop_start_up()
    {
        var refused = RefusedAtStart(new() { ["storage_positions_type"] = "KAFKA", ["kafka_bootstrapServers"] = "broker:9092" });

        Assert.Contains("storage_positions_type (liiklus.storage.positions.type) = 'KAFKA'", refused.Message);
        Assert.Contains("storage_records_type KAFKA", refused.Message);
    }

    [Fact]
    public void Unknown_positions_types_are_refused_listing_the_new_ones()
    {
        var refused = RefusedAtStart(new() { ["storage_positions_type"] = "CASSANDRA" });

        Assert.Contains("one of MEMORY, REDIS, KAFKA, DYNAMODB, POSTGRES", refused.Message);
    }

    private static GatewaySettings FromEnvironment(Dictionary<string, string> environment) =>
        GatewaySettings.From(GatewayHocon.Load(null, environment.GetValueOrDefault));

    /// <summary>
    /// Start-up as Program runs it, with only these variables set: refused with a one-line reason, either while the
    /// settings are read or while a storage registers itself (both stop start-up with exit code 2).
    /// </summary>
    private static Exception RefusedAtStart(Dictionary<string, string> environment)
    {
        var overrides = ConfigurationFactory.ParseString(string.Join('\n', environment.Select(variable =>
            $"{GatewayHocon.EnvironmentVariables[variable.Key]} = {System.Text.Json.JsonSerializer.Serialize(variable.Value)}")));
        var refused = Assert.ThrowsAny<Exception>(() => GatewayHost.Build([], overrides));
        Assert.True(refused is SettingsException or InvalidOperationException, refused.ToString());
        return refused;
    }
}
