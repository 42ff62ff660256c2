using System.Text.Json;
using Akka.Configuration;

namespace Liiklus.Api.Configuration;

/// <summary>
/// The gateway's HOCON configuration, in layers: explicit overrides, then Liiklus's environment variables, then
/// <c>hocon/liiklus.conf</c> and <c>hocon/akka.conf</c> from beside the binaries. <see cref="GatewaySettings"/> reads it.
/// </summary>
public static class GatewayHocon
{
    /// <summary>Environment variable → HOCON path it overrides.</summary>
    public static readonly IReadOnlyDictionary<string, string> EnvironmentVariables = new Dictionary<string, string>
    {
        ["grpc_port"] = "liiklus.grpc.port",
        ["server_port"] = "liiklus.server.port",
        ["storage_records_type"] = "liiklus.storage.records.type",
        ["storage_positions_type"] = "liiklus.storage.positions.type",
        ["redis_host"] = "liiklus.storage.redis.host",
        ["redis_port"] = "liiklus.storage.redis.port",
        ["kafka_bootstrapServers"] = "liiklus.storage.kafka.bootstrap-servers",
        ["akka_cluster_seed_nodes"] = "liiklus.cluster.seed-nodes",
        ["akka_remote_hostname"] = "akka.remote.dot-netty.tcp.hostname",
        ["akka_remote_port"] = "akka.remote.dot-netty.tcp.port",
    };

    public static Config Load(Config? overrides = null) =>
        Load(overrides, name => Environment.GetEnvironmentVariable(name));

    public static Config Load(Config? overrides, Func<string, string?> environment)
    {
        var config = FromEnvironment(environment).WithFallback(Defaults()).WithFallback(File("akka.conf"));
        return overrides is null ? config : overrides.WithFallback(config);
    }

    /// <summary>The gateway's own defaults: every key under <c>liiklus</c> that it knows.</summary>
    public static Config Defaults() => File("liiklus.conf");

    /// <summary>The environment variable that sets <paramref name="path"/>, if there is one.</summary>
    public static string? VariableOf(string path) =>
        EnvironmentVariables.FirstOrDefault(pair => pair.Value == path).Key;

    private static Config File(string name) =>
        ConfigurationFactory.ParseString(System.IO.File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", name)));

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
