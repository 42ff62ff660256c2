using Liiklus.Api.Logging;
using Akka.Configuration;
using Liiklus.Actors.Hosting;
using Liiklus.Actors.Receiving;
using Liiklus.Actors.Subscriptions;
using Liiklus.Storage.Cold;
using Liiklus.Storage.Positions.DynamoDb;
using Liiklus.Storage.Positions.Kafka;
using Liiklus.Storage.Positions.Postgres;
using Liiklus.Storage.Positions.Redis;
using Liiklus.Storage.Records.Kafka;
using Liiklus.Storage.Records.Memory;

namespace Liiklus.Api.Configuration;

/// <summary>The gateway's settings, read and range-checked from the <c>liiklus</c> section of the HOCON configuration.</summary>
public sealed record GatewaySettings(
    GrpcSettings Grpc,
    int MaxRecordSizeBytes,
    string RecordsStorageType,
    string PositionsStorageType,
    InMemoryRecordsOptions Memory,
    SubscriptionSettings Subscribe,
    ReceiveSettings Receive,
    long ReceiveMemoryBudgetBytes,
    GroupCoordinatorSettings Groups,
    ClusterSettings Cluster,
    RedisPositionsOptions Redis,
    KafkaRecordsOptions Kafka,
    bool JsonLogs,
    OperationsSettings Operations)
{
    public static readonly string[] RecordsStorageTypes = ["MEMORY", "KAFKA"];
    public static readonly string[] PositionsStorageTypes = ["MEMORY", "REDIS", "KAFKA", "DYNAMODB", "POSTGRES"];

    /// <summary>Subtrees under <c>liiklus</c> whose keys are the operator's own, not the gateway's.</summary>
    public static readonly string[] FreeFormSections =
        ["liiklus.storage.kafka.properties", "liiklus.storage.kafka-positions.properties", "liiklus.grpc.auth.keys", "liiklus.plugins.orders"];

    /// <summary>The positions storages' sections, each read in a file of its own.</summary>
    public PostgresPositionsOptions Postgres { get; init; } = new();

    public DynamoDbPositionsOptions DynamoDb { get; init; } = new();

    public KafkaPositionsOptions KafkaPositions { get; init; } = new("");

    /// <summary>Cold storage (<c>liiklus.cold</c>), read in a file of its own.</summary>
    public ColdOptions Cold { get; init; } = new();

    public RepeatLimits LogRepeats { get; init; } = new(20, TimeSpan.FromSeconds(10));

    private static readonly TimeSpan Day = TimeSpan.FromDays(1);
    private static readonly TimeSpan Millisecond = TimeSpan.FromMilliseconds(1);
    private const long GiB = 1024L * 1024 * 1024;

    /// <exception cref="SettingsException">a value is missing, unparsable or out of range</exception>
    public static GatewaySettings From(Config config)
    {
        var read = new SettingsReader(config);
        var maxRecordSize = read.Int("liiklus.publish.max-record-size-bytes", 1, 64 * 1024 * 1024);
        var streamBuffer = read.Bytes("liiklus.receive.buffer-bytes", 1024, GiB);
        var settings = new GatewaySettings(
            new GrpcSettings(
                read.Address("liiklus.grpc.address"),
                read.Int("liiklus.grpc.port", 0, 65535),
                read.Int("liiklus.grpc.max-concurrent-streams", 0, int.MaxValue) is var streams and > 0 ? streams : int.MaxValue,
                (int)read.Bytes("liiklus.grpc.initial-stream-window", 65_535, int.MaxValue),
                (int)read.Bytes("liiklus.grpc.initial-connection-window", 65_535, int.MaxValue),
                read.Duration("liiklus.grpc.keep-alive.ping-delay", TimeSpan.Zero, Day) is var delay && delay > TimeSpan.Zero ? delay : null,
                read.Duration("liiklus.grpc.keep-alive.ping-timeout", Millisecond, Day)),
            maxRecordSize,
            read.OneOf("liiklus.storage.records.type", RecordsStorageTypes),
            read.OneOf("liiklus.storage.positions.type", PositionsStorageTypes),
            new InMemoryRecordsOptions(
                read.Int("liiklus.storage.memory.partitions-per-topic", 1, 100_000),
                read.Int("liiklus.storage.memory.retention-per-partition", 1, int.MaxValue)),
            new SubscriptionSettings(
                read.Int("liiklus.subscribe.buffer-size", 1, 1_000_000),
                read.Duration("liiklus.subscribe.join-timeout", TimeSpan.FromSeconds(1), Day)),
            new ReceiveSettings(
                read.Duration("liiklus.receive.claim-timeout", Millisecond, Day),
                streamBuffer,
                read.Duration("liiklus.receive.rest-after", Millisecond, Day)),
            read.Bytes("liiklus.receive.memory-budget", 1024 * 1024, 1024 * GiB),
            new GroupCoordinatorSettings(
                read.Int("liiklus.groups.max-shards", 1, 100_000),
                read.Duration("liiklus.groups.idle-timeout", Millisecond, Day),
                read.Duration("liiklus.groups.partitions-refresh-interval", TimeSpan.FromMilliseconds(100), Day))
            {
                HandoffGrace = read.Duration("liiklus.groups.handoff-grace", TimeSpan.Zero, TimeSpan.FromMinutes(1)),
            },
            ClusterSettingsReader.From(read, config.GetString("akka.remote.dot-netty.tcp.hostname", "127.0.0.1").Trim()),
            RedisSettings.From(read),
            KafkaSettings.From(config, read),
            read.OneOf("liiklus.logging.format", "TEXT", "JSON") == "JSON",
            OperationsSettings.From(read))
        {
            Postgres = PostgresSettings.From(read),
            DynamoDb = DynamoDbSettings.From(read),
            Cold = ColdSettings.From(read),
            LogRepeats = new RepeatLimits(
                read.Int("liiklus.logging.repeats.burst", 0, 1_000_000),
                read.Duration("liiklus.logging.repeats.interval", TimeSpan.FromMilliseconds(100), Day)),
        };
        // Akka.Remote's endpoint, read by Akka itself: checked here so a bad value is one line, not Akka's stack trace.
        read.HostName("akka.remote.dot-netty.tcp.hostname");
        read.Int("akka.remote.dot-netty.tcp.port", 0, 65535);
        settings = settings with { KafkaPositions = KafkaPositionsSettings.From(config, read, settings.Kafka) };

        // A stream always holds at least one record, so the node's budget must take a few of the largest ones.
        if (settings.ReceiveMemoryBudgetBytes < Math.Max(streamBuffer, maxRecordSize) * 4L)
        {
            read.Reject(
                "liiklus.receive.memory-budget",
                settings.ReceiveMemoryBudgetBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "at least 4 × the larger of liiklus.receive.buffer-bytes and liiklus.publish.max-record-size-bytes");
        }

        if (settings.PositionsStorageType == "KAFKA" && settings.RecordsStorageType != "KAFKA")
        {
            read.Reject("liiklus.storage.positions.type", "KAFKA", "KAFKA only with storage_records_type KAFKA: Kafka keeps offsets of its own topics");
        }

        if (settings.PositionsStorageType == "DYNAMODB" && settings.DynamoDb.PositionsTable.Length == 0)
        {
            read.Reject("liiklus.storage.dynamodb.positions-table", "", "the name of the positions table (required with storage_positions_type DYNAMODB)");
        }

        if (settings.PositionsStorageType == "POSTGRES" && settings.Postgres.ConnectionString.Length == 0)
        {
            read.Reject("liiklus.storage.postgres.connection-string", "", "an Npgsql connection string (required with storage_positions_type POSTGRES)");
        }

        if (settings.RecordsStorageType == "KAFKA" && string.IsNullOrWhiteSpace(settings.Kafka.BootstrapServers))
        {
            read.Reject("liiklus.storage.kafka.bootstrap-servers", "", "host:port,... of the Kafka brokers (required with storage_records_type KAFKA)");
        }

        read.ThrowIfAnyProblem();
        return settings;
    }
}
