using Liiklus.Storage.Cold;
using Liiklus.Storage.Cold.Reading;
using Liiklus.Storage.Cold.Archiving;
using Liiklus.Api.Admin;
using Liiklus.Storage.Positions.DynamoDb;
using Liiklus.Storage.Positions.Kafka;
using Liiklus.Storage.Positions.Memory;
using Liiklus.Storage.Positions.Postgres;
using Liiklus.Storage.Positions.Redis;
using Liiklus.Storage.Records.Kafka;
using Liiklus.Storage.Records.Memory;

namespace Liiklus.Api.Configuration;

/// <summary>Registers the records and positions storages and the cold store the settings name; each registers itself.</summary>
public static class StorageRegistration
{
    /// <exception cref="InvalidOperationException">a storage's own settings do not let it start</exception>
    public static IServiceCollection AddStorages(this IServiceCollection services, GatewaySettings settings)
    {
        _ = settings.RecordsStorageType switch
        {
            "KAFKA" => services.AddKafkaRecordsStorage(settings.Kafka),
            _ => services.AddInMemoryRecordsStorage(settings.Memory),
        };
        _ = settings.PositionsStorageType switch
        {
            "REDIS" => services.AddRedisPositionsStorage(settings.Redis),
            "KAFKA" => services.AddKafkaPositionsStorage(settings.KafkaPositions),
            "DYNAMODB" => services.AddDynamoDbPositionsStorage(settings.DynamoDb),
            "POSTGRES" => services.AddPostgresPositionsStorage(settings.Postgres),
            _ => services.AddInMemoryPositionsStorage(),
        };
        services.AddColdStore(settings.Cold);
        services.AddColdReadPath(settings.Cold, recordsInKafka: settings.RecordsStorageType == "KAFKA");
        services.AddSingleton(provider => new ColdStatusReader(settings.Cold, provider.GetService<IColdStore>(), provider.GetService<IArchiveSource>()));
        return services;
    }
}
