using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.DynamoDb;
using Liiklus.Storage.Positions.Kafka;
using Liiklus.Storage.Positions.Memory;
using Liiklus.Storage.Positions.Postgres;
using Liiklus.Storage.Positions.Redis;
using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Memory;
using StackExchange.Redis;

namespace Liiklus.Api.Configuration;

/// <summary>Picks the records and positions storages named by the settings.</summary>
public static class StorageRegistration
{
    private static readonly Dictionary<string, Action<IServiceCollection, GatewaySettings>> RecordsStorages = new()
    {
        ["MEMORY"] = (services, settings) => services.AddSingleton<IRecordsStorage>(new InMemoryRecordsStorage(settings.Memory)),
        ["KAFKA"] = (services, settings) => services.AddKafkaRecordsStorage(settings.Kafka),
    };

    private static readonly Dictionary<string, Action<IServiceCollection, GatewaySettings>> PositionsStorages = new()
    {
        ["MEMORY"] = (services, _) => services.AddSingleton<IPositionsStorage>(new InMemoryPositionsStorage()),
        // One multiplexer per node; the container disposes it when the gateway stops.
        ["REDIS"] = (services, settings) => services
            .AddSingleton<IConnectionMultiplexer>(provider =>
                RedisConnection.Connect(settings.Redis, provider.GetRequiredService<ILogger<RedisPositionsStorage>>()))
            .AddSingleton<IPositionsStorage>(provider =>
                new RedisPositionsStorage(provider.GetRequiredService<IConnectionMultiplexer>(), settings.Redis))
            .AddHostedService<RedisConnectionWarmUp>(),
        // issue 14: each storage registers itself from its options.
        ["KAFKA"] = (services, settings) =>
        {
            if (settings.RecordsStorageType != "KAFKA")
            {
                throw new InvalidOperationException(
                    "storage_positions_type KAFKA commits offsets of Kafka's topics: it needs storage_records_type KAFKA");
            }

            services.AddKafkaPositionsStorage(settings.KafkaPositions);
        },
        ["DYNAMODB"] = (services, settings) => services.AddDynamoDbPositionsStorage(settings.DynamoDb),
        ["POSTGRES"] = (services, settings) => services.AddPostgresPositionsStorage(settings.Postgres),
    };

    /// <exception cref="InvalidOperationException">a storage type is unknown; the message lists the valid ones</exception>
    public static IServiceCollection AddStorages(this IServiceCollection services, GatewaySettings settings)
    {
        Pick(RecordsStorages, settings.RecordsStorageType, "storage_records_type")(services, settings);
        Pick(PositionsStorages, settings.PositionsStorageType, "storage_positions_type")(services, settings);
        return services;
    }

    private static Action<IServiceCollection, GatewaySettings> Pick(
        Dictionary<string, Action<IServiceCollection, GatewaySettings>> choices,
        string type,
        string variable) =>
        choices.TryGetValue(type, out var register)
            ? register
            : throw new InvalidOperationException(
                $"{variable} '{type}' is not a known storage type; valid types: {string.Join(", ", choices.Keys)}");
}
