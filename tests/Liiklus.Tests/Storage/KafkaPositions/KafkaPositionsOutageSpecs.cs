using System.Diagnostics;
using Liiklus.Storage;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.Kafka;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Storage.KafkaPositions;

/// <summary>
/// The storage with Kafka's broker down: every call answers within its deadline, and the same storage serves again
/// once the broker is back. These tests take their cluster down, so it is theirs alone.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class KafkaPositionsOutageSpecs(MockKafkaCluster cluster) : IClassFixture<MockKafkaCluster>, IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(1);

    // Generous beside the command timeout, far below the 20 s a hung call would take to fail the test otherwise.
    private static readonly TimeSpan AnswerWithin = CommandTimeout + TimeSpan.FromSeconds(2);

    private readonly GroupId _group = new("g", 0);
    private readonly List<KafkaPositionsStorage> _storages = [];

    public void Dispose()
    {
        // A test that took the broker down must not leave it down for the next one.
        cluster.SetBrokerUp();
        _storages.ForEach(storage => storage.Dispose());
    }

    [Fact]
    public async Task Calls_answer_unavailable_while_the_broker_is_down_and_the_same_storage_serves_when_it_returns()
    {
        var topic = cluster.NewTopic(2);
        var storage = NewStorage();
        await storage.UpdateAsync(topic, _group, 0, 1, CancellationToken.None);

        cluster.SetBrokerDown();

        var update = await Unavailable(() => storage.UpdateAsync(topic, _group, 0, 2, CancellationToken.None));
        var get = await Unavailable(() => storage.GetAsync(topic, _group, CancellationToken.None));
        var all = await Unavailable(() => storage.GetVersionsForAsync(topic, new GroupId("g", 2), CancellationToken.None));
        Assert.Contains($"Kafka positions storage at {cluster.BootstrapServers}", update.Message);
        Assert.Contains($"store offset 2 of topic '{topic}', group 'g' version 0, partition 0", update.Message);
        Assert.Contains("read the positions", get.Message);
        Assert.Contains("every version", all.Message);

        cluster.SetBrokerUp();

        await Eventually.Until(
            () => StorageCalls.Succeeds(() => storage.UpdateAsync(topic, _group, 0, 3, CancellationToken.None)),
            succeeded => succeeded,
            "an ack once the broker is back");
        Assert.Equal(new Dictionary<int, long> { [0] = 3 }, await storage.GetAsync(topic, _group, CancellationToken.None));
    }

    [Fact]
    public async Task An_ack_that_timed_out_during_an_outage_is_not_applied_when_kafka_returns()
    {
        var topic = cluster.NewTopic(1);
        var storage = NewStorage();
        await storage.UpdateAsync(topic, _group, 0, 5, CancellationToken.None);
        cluster.SetBrokerDown();

        await Unavailable(() => storage.UpdateAsync(topic, _group, 0, 7, CancellationToken.None));
        // The client holding the unanswered request is replaced (and destroyed) before Kafka can answer it.
        await Eventually.Until(() => Task.FromResult(storage.RetiredClients), retired => retired >= 1, "the stuck client retired");
        cluster.SetBrokerUp();

        var positions = await Eventually.Until(
            () => PositionsOrNull(storage, topic),
            positions => positions is not null,
            "a read once the broker is back");
        Assert.Equal(new Dictionary<int, long> { [0] = 5 }, positions);
    }

    [Fact]
    public async Task A_call_ends_when_the_callers_token_is_cancelled_even_before_the_command_timeout()
    {
        var topic = cluster.NewTopic(1);
        var patient = NewStorage(TimeSpan.FromMinutes(1));
        cluster.SetBrokerDown();
        using var callerDeadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => patient.UpdateAsync(topic, _group, 0, 1, callerDeadline.Token));

        Assert.True(clock.Elapsed < AnswerWithin, $"the cancelled call took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_storage_created_while_the_broker_is_down_serves_once_it_is_up()
    {
        var topic = cluster.NewTopic(1);
        cluster.SetBrokerDown();

        var storage = NewStorage();
        await Unavailable(() => storage.UpdateAsync(topic, _group, 0, 1, CancellationToken.None));
        cluster.SetBrokerUp();

        await Eventually.Until(
            () => StorageCalls.Succeeds(() => storage.UpdateAsync(topic, _group, 0, 1, CancellationToken.None)),
            succeeded => succeeded,
            "an ack once the broker is up");
        Assert.Equal(new Dictionary<int, long> { [0] = 1 }, await Eventually.Until(() => PositionsOrNull(storage, topic), p => p is not null, "a read"));
    }

    private KafkaPositionsStorage NewStorage(TimeSpan? commandTimeout = null)
    {
        var storage = new KafkaPositionsStorage(new KafkaPositionsOptions(cluster.BootstrapServers)
        {
            CommandTimeout = commandTimeout ?? CommandTimeout,
            Properties = new Dictionary<string, string> { ["reconnect.backoff.ms"] = "20", ["reconnect.backoff.max.ms"] = "200" },
        });
        _storages.Add(storage);
        return storage;
    }

    private static async Task<StorageUnavailableException> Unavailable(Func<Task> call)
    {
        var clock = Stopwatch.StartNew();
        var unavailable = await Assert.ThrowsAsync<StorageUnavailableException>(call);
        Assert.True(clock.Elapsed < AnswerWithin, $"the call answered unavailable after {clock.Elapsed}");
        return unavailable;
    }

    private async Task<IReadOnlyDictionary<int, long>?> PositionsOrNull(KafkaPositionsStorage storage, string topic)
    {
        try
        {
            return await storage.GetAsync(topic, _group, CancellationToken.None);
        }
        catch (StorageUnavailableException)
        {
            return null;
        }
    }
}
