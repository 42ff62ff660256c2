using System.Text.Json;
using Akka.Configuration;

namespace Liiklus.Api.Configuration;

/// <summary>
/// The gateway's configuration: explicit overrides, then Liiklus's environment variables, then
/// <c>hocon/liiklus.conf</c> and <c>hocon/akka.conf</c> from beside the binaries.
/// </summary>
public static class GatewayConfig
{
    /// <summary>Environment variable → HOCON path it overrides.</summary>
    public static readonly IReadOnlyDictionary<string, string> EnvironmentVariables = new Dictionary<string, string>
    {
        ["grpc_port"] = "liiklus.grpc.port",
        ["storage_records_type"] = "liiklus.storage.records.type",
        ["storage_positions_type"] = "liiklus.storage.positions.type",
        ["redis_host"] = "liiklus.storage.redis.host",
        ["redis_port"] = "liiklus.storage.redis.port",
        ["kafka_bootstrapServers"] = "liiklus.storage.kafka.bootstrap-servers",
        // issue 14: positions storages KAFKA, DYNAMODB (Liiklus's names) and POSTGRES.
        ["kafka_positionsBootstrapServers"] = "liiklus.storage.kafka-positions.bootstrap-servers",
        ["kafka_positionsGroupIdPrefix"] = "liiklus.storage.kafka-positions.group-id-prefix",
        ["dynamodb_endpoint"] = "liiklus.storage.dynamodb.endpoint",
        ["dynamodb_positionsTable"] = "liiklus.storage.dynamodb.positions-table",
        ["dynamodb_autoCreateTable"] = "liiklus.storage.dynamodb.auto-create-table",
        ["postgres_connectionString"] = "liiklus.storage.postgres.connection-string",
        ["akka_cluster_seed_nodes"] = "liiklus.cluster.seed-nodes",
        ["akka_remote_hostname"] = "akka.remote.dot-netty.tcp.hostname",
        ["akka_remote_port"] = "akka.remote.dot-netty.tcp.port",
    };

    public static Config Load(Config? overrides = null) =>
        Load(overrides, name => Environment.GetEnvironmentVariable(name));

    public static Config Load(Config? overrides, Func<string, string?> environment)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "hocon");
        var config = FromEnvironment(environment)
            .WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(folder, "liiklus.conf"))))
            .WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(folder, "akka.conf"))));
        return overrides is null ? config : overrides.WithFallback(config);
    }

    private static Config FromEnvironment(Func<string, string?> environment)
    {
        var lines = EnvironmentVariables
            .Select(pair => (Path: pair.Value, Value: environment(pair.Key)))
            .Where(pair => !string.IsNullOrWhiteSpace(pair.Value))
            // A JSON string literal is a valid quoted HOCON string, whatever the value holds.
            .Select(pair => $"{pair.Path} = {JsonSerializer.Serialize(pair.Value!.Trim())}");
        return ConfigurationFactory.ParseString(string.Join('\n', lines));
    }
}
