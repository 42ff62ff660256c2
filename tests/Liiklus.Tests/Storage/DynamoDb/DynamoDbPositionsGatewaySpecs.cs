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
