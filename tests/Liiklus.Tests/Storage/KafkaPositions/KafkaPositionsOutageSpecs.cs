using Liiklus.Storage;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.Kafka;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Storage.KafkaPositions;

/// <summary>
/// The outage contract with Kafka's broker down. These tests take their cluster down, so it is theirs alone.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class KafkaPositionsOutageSpecs(MockKafkaCluster cluster) : PositionsStorageOutageContract, IClassFixture<MockKafkaCluster>
{
    protected override string StoreName => $"Kafka positions storage at {cluster.BootstrapServers}";

    public override async Task DisposeAsync()
    {
        // A test that took the broker down must not leave it down for the next one.
        cluster.SetBrokerUp();
        await base.DisposeAsync();
    }

    /// <remarks>Two partitions: the positions read back hold only the partition acked.</remarks>
    protected override string NewTopic() => cluster.NewTopic(2);

    protected override IPositionsStorage CreateStorage(TimeSpan commandTimeout) => Create(commandTimeout);

    protected override Task TakeStoreDownAsync()
    {
        cluster.SetBrokerDown();
        return Task.CompletedTask;
    }

    protected override Task BringStoreBackAsync()
    {
        cluster.SetBrokerUp();
        return Task.CompletedTask;
    }

    protected override async Task<IPositionsStorage> StorageWithoutAnswersAsync(TimeSpan commandTimeout)
    {
        var storage = NewStorage(commandTimeout);
        await TakeStoreDownAsync();
        return storage;
    }

    /// <summary>A storage that cannot list versions reads them up to the reader's.</summary>
    protected override Task ReadEveryVersionAsync(IPositionsStorage storage, string topic) =>
        storage.GetVersionsForAsync(topic, new GroupId(Group.Name, 2), CancellationToken.None);

    protected override Task CallThatWaitsAsync(IPositionsStorage storage, string topic, CancellationToken cancellationToken) =>
        storage.UpdateAsync(topic, Group, 0, 1, cancellationToken);

    protected override async Task<IReadOnlyDictionary<int, long>> PositionsOnceServingAsync(IPositionsStorage storage, string topic) =>
        (await Eventually.Until(() => PositionsOrNull(storage, topic), positions => positions is not null, "a read"))!;

    [Fact]
    public async Task An_ack_that_timed_out_during_an_outage_is_not_applied_when_kafka_returns()
    {
        var topic = cluster.NewTopic(1);
        var storage = Owned(Create(CommandTimeout));
        await storage.UpdateAsync(topic, Group, 0, 5, CancellationToken.None);
        cluster.SetBrokerDown();

        var failed = await Unavailable(() => storage.UpdateAsync(topic, Group, 0, 7, CancellationToken.None));
        if (failed.InnerException is TimeoutException)
        {
            // The client holding the unanswered request is replaced (and destroyed) before Kafka can answer it. (On a
            // busy machine librdkafka may instead fail the request at once when the broker drops its connection:
            // then nothing is pending to be applied later.)
            await Eventually.Until(() => Task.FromResult(storage.RetiredClients), retired => retired >= 1, "the stuck client retired");
        }
        cluster.SetBrokerUp();

        var positions = await Eventually.Until(
            () => PositionsOrNull(storage, topic),
            positions => positions is not null,
            "a read once the broker is back");
        Assert.Equal(new Dictionary<int, long> { [0] = 5 }, positions);
    }

    private KafkaPositionsStorage Create(TimeSpan commandTimeout) =>
        new(new KafkaPositionsOptions(cluster.BootstrapServers)
        {
            CommandTimeout = commandTimeout,
            Properties = new Dictionary<string, string> { ["reconnect.backoff.ms"] = "20", ["reconnect.backoff.max.ms"] = "200" },
        });

    private static async Task<IReadOnlyDictionary<int, long>?> PositionsOrNull(IPositionsStorage storage, string topic)
    {
        try
        {
            return await storage.GetAsync(topic, Group, CancellationToken.None);
        }
        catch (StorageUnavailableException)
        {
            return null;
        }
    }
}
