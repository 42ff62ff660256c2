using System.Text.Json;
using Akka.Configuration;

namespace Liiklus.Api.Configuration;

/// <summary>
/// The gateway's HOCON configuration, in layers: explicit overrides, then Liiklus's environment variables, then the
/// operator's own HOCON file (named by <see cref="ConfigFileVariable"/>), then <c>hocon/liiklus.conf</c> and
/// <c>hocon/akka.conf</c> from beside the binaries. <see cref="GatewaySettings"/> reads it.
/// </summary>
public static class GatewayHocon
{
    /// <summary>
    /// Names the operator's HOCON file: any key of the shipped files set there, without editing them (keys that have no
    /// variable, such as <c>liiklus.shutdown.drain-delay</c> or Kafka's <c>properties</c>). A relative path is taken from
    /// the working directory.
    /// </summary>
    public const string ConfigFileVariable = "liiklus_config_file";

    /// <summary>Environment variable → HOCON path it overrides.</summary>
    public static readonly IReadOnlyDictionary<string, string> EnvironmentVariables = new Dictionary<string, string>
    {
        ["grpc_port"] = "liiklus.grpc.port",
        ["grpc_address"] = "liiklus.grpc.address",
        ["server_port"] = "liiklus.server.port",
        // Spring's name for the address of server_port, as Liiklus reads it.
        ["server_address"] = "liiklus.server.address",
        // The web console on server_port (issue 22).
        ["console_enabled"] = "liiklus.console.enabled",
        ["storage_records_type"] = "liiklus.storage.records.type",
        ["storage_positions_type"] = "liiklus.storage.positions.type",
        ["redis_host"] = "liiklus.storage.redis.host",
        ["redis_port"] = "liiklus.storage.redis.port",
        ["kafka_bootstrapServers"] = "liiklus.storage.kafka.bootstrap-servers",
        ["akka_cluster_seed_nodes"] = "liiklus.cluster.seed-nodes",
        // Cluster Bootstrap through discovery (issue 24).
        ["akka_cluster_bootstrap"] = "liiklus.cluster.bootstrap.method",
        ["akka_cluster_bootstrap_requiredContactPoints"] = "liiklus.cluster.bootstrap.required-contact-points",
        ["akka_discovery_config_endpoints"] = "liiklus.cluster.bootstrap.config-endpoints",
        ["akka_discovery_kubernetes_labelSelector"] = "liiklus.cluster.bootstrap.kubernetes-label-selector",
        ["akka_management_hostname"] = "liiklus.cluster.management.hostname",
        ["akka_management_port"] = "liiklus.cluster.management.port",
        ["logging_format"] = "liiklus.logging.format",
        // Positions storages KAFKA, DYNAMODB (Liiklus's names) and POSTGRES.
        ["kafka_positionsBootstrapServers"] = "liiklus.storage.kafka-positions.bootstrap-servers",
        ["kafka_positionsGroupIdPrefix"] = "liiklus.storage.kafka-positions.group-id-prefix",
        ["dynamodb_endpoint"] = "liiklus.storage.dynamodb.endpoint",
        ["dynamodb_positionsTable"] = "liiklus.storage.dynamodb.positions-table",
        ["dynamodb_autoCreateTable"] = "liiklus.storage.dynamodb.auto-create-table",
        ["postgres_connectionString"] = "liiklus.storage.postgres.connection-string",
        // Cold storage (issue 23).
        ["cold_type"] = "liiklus.cold.type",
        ["cold_topics"] = "liiklus.cold.topics",
        ["cold_segmentMaxBytes"] = "liiklus.cold.segment-max-bytes",
        ["cold_blockCacheBytes"] = "liiklus.cold.block-cache-bytes",
        ["cold_segmentMaxAge"] = "liiklus.cold.segment-max-age",
        ["cold_s3_endpoint"] = "liiklus.cold.s3.endpoint",
        ["cold_s3_bucket"] = "liiklus.cold.s3.bucket",
        ["cold_s3_prefix"] = "liiklus.cold.s3.prefix",
        ["cold_s3_region"] = "liiklus.cold.s3.region",
        ["cold_s3_pathStyle"] = "liiklus.cold.s3.path-style",
        ["cold_postgres_connectionString"] = "liiklus.cold.postgres.connection-string",
        ["akka_remote_hostname"] = "akka.remote.dot-netty.tcp.hostname",
        ["akka_remote_port"] = "akka.remote.dot-netty.tcp.port",
        // Schema validation and record processor plugins (issue 15), with Liiklus's names.
        ["schema_enabled"] = "liiklus.schema.enabled",
        ["schema_schemaURL"] = "liiklus.schema.schema-url",
        ["schema_eventTypeJsonPointer"] = "liiklus.schema.event-type-json-pointer",
        ["schema_allowDeprecatedProperties"] = "liiklus.schema.allow-deprecated-properties",
        ["plugins_dir"] = "liiklus.plugins.dir",
        // Security: Liiklus's grpc.tls / grpc.auth names; grpc_auth_keys_<kid> is read by JwtKeyVariables.
        ["grpc_tls_keyCertChain"] = "liiklus.grpc.tls.key-cert-chain",
        ["grpc_tls_key"] = "liiklus.grpc.tls.key",
        ["grpc_tls_keyPassword"] = "liiklus.grpc.tls.key-password",
        ["grpc_tls_trustCert"] = "liiklus.grpc.tls.trust-cert",
        ["grpc_auth_alg"] = "liiklus.grpc.auth.alg",
        ["grpc_auth_secret"] = "liiklus.grpc.auth.secret",
        ["grpc_auth_jwks"] = "liiklus.grpc.auth.jwks",
        ["grpc_auth_issuer"] = "liiklus.grpc.auth.issuer",
        ["grpc_auth_audience"] = "liiklus.grpc.auth.audience",
        ["grpc_auth_requireScopes"] = "liiklus.grpc.auth.require-scopes",
        ["akka_remote_tls_certificate"] = "liiklus.cluster.tls.certificate",
        ["akka_remote_tls_key"] = "liiklus.cluster.tls.key",
        ["akka_remote_tls_keyPassword"] = "liiklus.cluster.tls.key-password",
        ["akka_remote_tls_trustCert"] = "liiklus.cluster.tls.trust-cert",
    };

    public static Config Load(Config? overrides = null) =>
        Load(overrides, name => Environment.GetEnvironmentVariable(name), Environment.GetEnvironmentVariables().Keys.Cast<string>());

    /// <param name="names">every variable name in the environment, for the ones named by a prefix</param>
    /// <exception cref="SettingsException">the operator's file cannot be read or is not HOCON</exception>
    public static Config Load(Config? overrides, Func<string, string?> environment, IEnumerable<string>? names = null)
    {
        var config = FromEnvironment(environment)
            .WithFallback(Security.Configuration.JwtKeyVariables.FromEnvironment(names ?? [], environment))
            .WithFallback(OperatorFile(environment(ConfigFileVariable)))
            .WithFallback(Defaults()).WithFallback(File("akka.conf"));
        return overrides is null ? config : overrides.WithFallback(config);
    }

    /// <summary>The gateway's own defaults: every key under <c>liiklus</c> that it knows.</summary>
    public static Config Defaults() => File("liiklus.conf");

    /// <summary>The environment variable that sets <paramref name="path"/>, if there is one.</summary>
    public static string? VariableOf(string path) =>
        EnvironmentVariables.FirstOrDefault(pair => pair.Value == path).Key;

    private static Config File(string name) =>
        ConfigurationFactory.ParseString(System.IO.File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", name)));

    private static Config OperatorFile(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return Config.Empty;
        }

        string text;
        try
        {
            text = System.IO.File.ReadAllText(Path.GetFullPath(path.Trim()));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SettingsException([$"{ConfigFileVariable} = '{path}' cannot be read: {e.Message}"]);
        }

        try
        {
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception e) when (e is ConfigurationException or FormatException or InvalidOperationException or ArgumentException)
        {
            throw new SettingsException([$"{ConfigFileVariable} = '{path}' is not valid HOCON: {e.Message.ReplaceLineEndings(" ")}"]);
        }
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
