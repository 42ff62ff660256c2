using Amazon.DynamoDBv2.Model;
using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Memory;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Liiklus.Tests.Storage.DynamoDb;

/// <summary>
/// The gateway end to end with positions in DynamoDB (dynalite), configured as Liiklus is. Records live in one
/// in-memory storage handed to every gateway of a test, so they outlive a gateway too.
/// </summary>
public sealed class DynamoDbPositionsGatewaySpecs(DynaliteServer dynalite) : PositionsGatewayContract, IClassFixture<DynaliteServer>
{
    private readonly InMemoryRecordsStorage _records = new(new InMemoryRecordsOptions(PartitionsPerTopic: 8));
    private readonly string _table = DynaliteServer.NewTable();

    protected override string ShortDeadlineHocon => "liiklus.storage.dynamodb.command-timeout = 2s";

    protected override string StoreName => $"DynamoDB positions storage (table '{_table}' at {dynalite.Endpoint})";

    protected override Task<TestGateway> StartGatewayAsync(string hocon = "") =>
        TestGateway.StartAsync($"{hocon}\n{dynalite.GatewayHocon(_table)}", services => services.AddSingleton<IRecordsStorage>(_records));

    protected override Task TakeStoreDownAsync() => dynalite.KillAsync();

    protected override Task BringStoreBackAsync() => dynalite.StartAsync();

    [Fact]
    public async Task A_group_liiklus_acked_in_its_table_is_read_by_getoffsets_and_resumed_by_receive()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = Api.PublishAndReceiveSpecs.NewName("topic");
        var partition = (await gateway.Client.PublishAsync(topic, "v0", key: "k")).Partition;
        for (var i = 1; i < 6; i++)
        {
            await gateway.Client.PublishAsync(topic, $"v{i}", key: "k");
        }

        // The gateway's first call created the table; Liiklus's item goes in as Liiklus writes it.
        await gateway.Client.GetOffsetsAsync(new Liiklus.Protocol.GetOffsetsRequest { Topic = topic, Group = "billing" });
        await dynalite.Client.PutItemAsync(_table, new Dictionary<string, AttributeValue>
        {
            ["topic"] = new() { S = topic },
            ["groupId"] = new() { S = "billing-v2" },
            ["positions"] = new() { M = new() { [partition.ToString()] = new AttributeValue { N = "3" } } },
        });

        var offsets = await gateway.Client.GetOffsetsAsync(new Liiklus.Protocol.GetOffsetsRequest { Topic = topic, Group = "billing", GroupVersion = 2 });
        using var subscription = gateway.Client.Subscribe(topic, "billing", version: 2);
        using var receive = gateway.Client.Receive(await Api.PublishAndReceiveSpecs.AssignmentFor(subscription, partition));

        Assert.Equal(new Dictionary<uint, ulong> { [partition] = 3 }, offsets.Offsets);
        Assert.Equal(["v4", "v5"], (await receive.ReadAsync(2)).Select(r => r.Record.Value.ToStringUtf8()));
    }

    protected override async Task AssertStoredAsync(string topic, string group, uint version, uint partition, ulong acked)
    {
        var item = (await dynalite.Client.GetItemAsync(new GetItemRequest
        {
            TableName = _table,
            Key = new()
            {
                ["topic"] = new AttributeValue { S = topic },
                ["groupId"] = new AttributeValue { S = version == 0 ? group : $"{group}-v{version}" },
            },
            ConsistentRead = true,
        })).Item;

        Assert.NotNull(item);
        Assert.Equal(acked.ToString(), item["positions"].M[partition.ToString()].N);
    }
}
