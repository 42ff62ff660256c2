using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Liiklus.Storage;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.DynamoDb;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Storage.DynamoDb;

/// <summary>
/// The storage with DynamoDB (dynalite) down or not there yet: every call answers within its deadline, and the
/// same storage serves again once it is back. These tests take their server down, so it is theirs alone.
/// </summary>
public sealed class DynamoDbOutageSpecs(DynaliteServer dynalite) : IClassFixture<DynaliteServer>, IAsyncLifetime
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(1);

    // Generous beside the command timeout, far below the 20 s a hung call would take to fail the test otherwise.
    private static readonly TimeSpan AnswerWithin = CommandTimeout + TimeSpan.FromSeconds(2);

    private readonly string _table = DynaliteServer.NewTable();
    private readonly string _topic = $"topic-{Guid.NewGuid():N}";
    private readonly GroupId _group = new("g", 0);
    private DynamoDbPositionsStorage? _storage;

    private DynamoDbPositionsOptions Options => dynalite.Options(_table) with { CommandTimeout = CommandTimeout };

    private DynamoDbPositionsStorage Storage => _storage ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        // A test that killed the server must not leave it down for the next one.
        if (!dynalite.IsRunning)
        {
            await dynalite.StartAsync();
        }

        _storage = new DynamoDbPositionsStorage(Options);
    }

    public Task DisposeAsync()
    {
        _storage?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Calls_answer_unavailable_while_dynamodb_is_down_and_the_same_storage_serves_when_it_returns()
    {
        await Storage.UpdateAsync(_topic, _group, 0, 1, CancellationToken.None);

        await dynalite.KillAsync();

        var update = await Unavailable(() => Storage.UpdateAsync(_topic, _group, 0, 2, CancellationToken.None));
        var get = await Unavailable(() => Storage.GetAsync(_topic, _group, CancellationToken.None));
        var all = await Unavailable(() => Storage.GetAllVersionsAsync(_topic, _group.Name, CancellationToken.None));
        Assert.Contains($"DynamoDB positions storage (table '{_table}' at {dynalite.Endpoint})", update.Message);
        Assert.Contains($"store offset 2 of topic '{_topic}', group 'g' version 0, partition 0", update.Message);
        Assert.Contains("read the positions", get.Message);
        Assert.Contains("every version", all.Message);

        await dynalite.StartAsync();

        await Eventually.Until(
            () => StorageCalls.Succeeds(() => Storage.UpdateAsync(_topic, _group, 0, 3, CancellationToken.None)),
            succeeded => succeeded,
            "an ack once dynalite is back");
        Assert.Equal(3, (await Storage.GetAsync(_topic, _group, CancellationToken.None))[0]);
    }

    [Fact]
    public async Task Calls_answer_unavailable_within_the_command_timeout_when_dynamodb_accepts_but_never_answers()
    {
        using var silent = SilentServer(out var endpoint);
        using var storage = new DynamoDbPositionsStorage(Options with { Endpoint = endpoint });

        var update = await Unavailable(() => storage.UpdateAsync(_topic, _group, 0, 1, CancellationToken.None));
        var all = await Unavailable(() => storage.GetAllVersionsAsync(_topic, _group.Name, CancellationToken.None));

        Assert.Contains("did not answer within 1s", update.Message);
        Assert.Contains("did not answer within 1s", all.Message);
    }

    [Fact]
    public async Task A_call_ends_when_the_callers_token_is_cancelled_even_before_the_command_timeout()
    {
        using var silent = SilentServer(out var endpoint);
        using var patient = new DynamoDbPositionsStorage(Options with { Endpoint = endpoint, CommandTimeout = TimeSpan.FromMinutes(1) });
        using var callerDeadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => patient.GetAsync(_topic, _group, callerDeadline.Token));

        Assert.True(clock.Elapsed < AnswerWithin, $"the cancelled call took {clock.Elapsed}");
    }

    /// <summary>A port that takes connections and requests and never answers, as a hung server would.</summary>
    private static TcpListener SilentServer(out string endpoint)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        endpoint = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        return listener;
    }

    [Fact]
    public async Task A_storage_created_while_dynamodb_is_down_serves_once_it_starts()
    {
        await dynalite.KillAsync();

        using var storage = new DynamoDbPositionsStorage(Options);
        await Unavailable(() => storage.UpdateAsync(_topic, _group, 0, 1, CancellationToken.None));
        await dynalite.StartAsync();

        await Eventually.Until(
            () => StorageCalls.Succeeds(() => storage.UpdateAsync(_topic, _group, 0, 1, CancellationToken.None)),
            succeeded => succeeded,
            "an ack once dynalite started");
        Assert.Equal(1, (await storage.GetAsync(_topic, _group, CancellationToken.None))[0]);
    }

    private static async Task<StorageUnavailableException> Unavailable(Func<Task> call)
    {
        var clock = Stopwatch.StartNew();
        var unavailable = await Assert.ThrowsAsync<StorageUnavailableException>(call);
        Assert.True(clock.Elapsed < AnswerWithin, $"the call answered unavailable after {clock.Elapsed}");
        return unavailable;
    }
}
