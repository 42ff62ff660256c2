using System.Net;
using System.Net.Sockets;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.DynamoDb;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Storage.DynamoDb;

/// <summary>
/// The outage contract with DynamoDB (dynalite) killed, silent or not there yet. These tests take their server
/// down, so it is theirs alone.
/// </summary>
public sealed class DynamoDbOutageSpecs(DynaliteServer dynalite) : PositionsStorageOutageContract, IClassFixture<DynaliteServer>
{
    private readonly string _table = DynaliteServer.NewTable();

    private DynamoDbPositionsOptions Options => dynalite.Options(_table) with { CommandTimeout = CommandTimeout };

    protected override string StoreName => $"DynamoDB positions storage (table '{_table}' at {dynalite.Endpoint})";

    public override async Task InitializeAsync()
    {
        // A test that killed the server must not leave it down for the next one.
        if (!dynalite.IsRunning)
        {
            await dynalite.StartAsync();
        }
    }

    protected override IPositionsStorage CreateStorage(TimeSpan commandTimeout) =>
        new DynamoDbPositionsStorage(Options with { CommandTimeout = commandTimeout });

    protected override Task TakeStoreDownAsync() => dynalite.KillAsync();

    protected override Task BringStoreBackAsync() => dynalite.StartAsync();

    protected override Task<IPositionsStorage> StorageWithoutAnswersAsync(TimeSpan commandTimeout) =>
        Task.FromResult<IPositionsStorage>(Owned(new DynamoDbPositionsStorage(
            Options with { Endpoint = SilentServer(), CommandTimeout = commandTimeout })));

    [Fact]
    public async Task Calls_answer_unavailable_within_the_command_timeout_when_dynamodb_accepts_but_never_answers()
    {
        var topic = NewTopic();
        var storage = Owned(new DynamoDbPositionsStorage(Options with { Endpoint = SilentServer() }));

        var update = await Unavailable(() => storage.UpdateAsync(topic, Group, 0, 1, CancellationToken.None));
        var all = await Unavailable(() => storage.GetAllVersionsAsync(topic, Group.Name, CancellationToken.None));

        Assert.Contains("did not answer within 1s", update.Message);
        Assert.Contains("did not answer within 1s", all.Message);
    }

    /// <summary>
    /// The endpoint of a port that takes connections and requests and never answers, as a hung server would, until
    /// the test ends.
    /// </summary>
    private string SilentServer()
    {
        var listener = Owned(new TcpListener(IPAddress.Loopback, 0));
        listener.Start();
        return $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
    }
}
