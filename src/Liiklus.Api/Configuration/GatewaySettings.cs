using Akka.Configuration;
using Liiklus.Actors.Hosting;
using Liiklus.Actors.Receiving;
using Liiklus.Storage.Positions.DynamoDb;
using Liiklus.Storage.Positions.Kafka;
using Liiklus.Storage.Positions.Postgres;
using Liiklus.Storage.Positions.Redis;
using Liiklus.Storage.Records.Kafka;
using Liiklus.Storage.Records.Memory;

namespace Liiklus.Api.Configuration;

/// <summary>The gateway's settings, read from the <c>liiklus</c> section of the HOCON configuration.</summary>
public sealed record GatewaySettings(
    string GrpcAddress,
    int GrpcPort,
    int MaxRecordSizeBytes,
    string RecordsStorageType,
    string PositionsStorageType,
    InMemoryRecordsOptions Memory,
    int SubscribeBufferSize,
    ReceiveSettings Receive,
    GroupCoordinatorSettings Groups,
    ClusterSettings Cluster,
    RedisPositionsOptions Redis,
    KafkaRecordsOptions Kafka)
{
    // issue 14: the positions storages' sections, each read in a file of its own.
    public PostgresPositionsOptions Postgres { get; init; } = new();

    public DynamoDbPositionsOptions DynamoDb { get; init; } = new();

    public KafkaPositionsOptions KafkaPositions { get; init; } = new("");

    public static GatewaySettings From(Config config)
    {
        var liiklus = config.GetConfig("liiklus");
        var kafka = KafkaSettings.From(liiklus);
        return new GatewaySettings(
            liiklus.GetString("grpc.address"),
            liiklus.GetInt("grpc.port"),
            liiklus.GetInt("publish.max-record-size-bytes"),
            liiklus.GetString("storage.records.type").Trim().ToUpperInvariant(),
            liiklus.GetString("storage.positions.type").Trim().ToUpperInvariant(),
            new InMemoryRecordsOptions(
                liiklus.GetInt("storage.memory.partitions-per-topic"),
                liiklus.GetInt("storage.memory.retention-per-partition")),
            liiklus.GetInt("subscribe.buffer-size"),
            new ReceiveSettings(liiklus.GetTimeSpan("receive.claim-timeout"), liiklus.GetInt("receive.buffer-size")),
            new GroupCoordinatorSettings(liiklus.GetInt("groups.max-shards"), liiklus.GetTimeSpan("groups.idle-timeout")),
            new ClusterSettings(liiklus.GetString("cluster.seed-nodes", "")
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
            RedisFrom(liiklus.GetConfig("storage.redis")),
            kafka)
        {
            // issue 14
            Postgres = PostgresSettings.From(liiklus),
            DynamoDb = DynamoDbSettings.From(liiklus),
            KafkaPositions = KafkaPositionsSettings.From(liiklus, kafka),
        };
    }

    private static RedisPositionsOptions RedisFrom(Config redis) => new()
    {
        Host = redis.GetString("host"),
        Port = redis.GetInt("port"),
        Password = redis.GetString("password", "") is { Length: > 0 } password ? password : null,
        Database = redis.GetInt("database"),
        Ssl = redis.GetBoolean("ssl"),
        ConnectTimeout = redis.GetTimeSpan("connect-timeout"),
        CommandTimeout = redis.GetTimeSpan("command-timeout"),
    };
}
