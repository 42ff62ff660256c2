using Amazon.DynamoDBv2.Model;
using Liiklus.Storage;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.DynamoDb;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Storage.DynamoDb;

/// <summary>
/// The positions contract on dynalite, plus Liiklus's table layout: items read with a plain DynamoDB client, and
/// items written as Liiklus writes them read by the storage.
/// </summary>
public sealed class DynamoDbPositionsStorageSpecs(DynaliteServer dynalite)
    : PositionsStorageContract, IClassFixture<DynaliteServer>, IAsyncLifetime
{
    private readonly string _table = DynaliteServer.NewTable();
    private readonly List<DynamoDbPositionsStorage> _storages = [];

    protected override IPositionsStorage CreateStorage() => NewStorage(dynalite.Options(_table));

    /// <summary>The storage's first call creates its table, which the raw reads and writes below need.</summary>
    public async Task InitializeAsync() => await Storage.GetAsync(NewTopic(), new GroupId("g", 0), CancellationToken.None);

    public Task DisposeAsync()
    {
        _storages.ForEach(storage => storage.Dispose());
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_group_version_is_one_item_with_a_map_of_partition_to_offset_in_liiklus_layout()
    {
        var topic = NewTopic();

        await Storage.UpdateAsync(topic, new GroupId("orders", 3), 7, 12345, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("orders", 3), 0, long.MaxValue, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("orders", 0), 1, 0, CancellationToken.None);

        var versioned = await ItemAsync(topic, "orders-v3");
        Assert.Equal(["groupId", "positions", "topic"], versioned.Keys.Order());
        Assert.Equal(topic, versioned["topic"].S);
        Assert.Equal(
            new Dictionary<string, string> { ["7"] = "12345", ["0"] = "9223372036854775807" },
            versioned["positions"].M.ToDictionary(position => position.Key, position => position.Value.N));
        var unversioned = await ItemAsync(topic, "orders");
        Assert.Equal(new Dictionary<string, string> { ["1"] = "0" }, unversioned["positions"].M.ToDictionary(p => p.Key, p => p.Value.N));
    }

    [Fact]
    public async Task The_table_created_has_liiklus_keys()
    {
        var table = (await dynalite.Client.DescribeTableAsync(_table)).Table;

        Assert.Equal(["topic HASH", "groupId RANGE"], table.KeySchema.Select(key => $"{key.AttributeName} {key.KeyType}"));
        Assert.Equal(["groupId S", "topic S"], table.AttributeDefinitions.Select(a => $"{a.AttributeName} {a.AttributeType}").Order());
    }

    [Fact]
    public async Task Items_written_as_liiklus_writes_them_are_read()
    {
        var topic = NewTopic();
        await PutLiiklusItemAsync(topic, "billing", ("0", "41"), ("5", "42"));
        await PutLiiklusItemAsync(topic, "billing-v2", ("0", "7"));
        // Liiklus's first ack of a group creates an empty map, then sets the partition in it.
        await PutLiiklusItemAsync(topic, "billing-v4");

        Assert.Equal(new Dictionary<int, long> { [0] = 41, [5] = 42 }, await Storage.GetAsync(topic, new GroupId("billing", 0), CancellationToken.None));
        var all = await Storage.GetAllVersionsAsync(topic, "billing", CancellationToken.None);
        Assert.Equal([0u, 2u, 4u], all.Keys.Order());
        Assert.Equal(new Dictionary<int, long> { [0] = 7 }, all[2]);
        Assert.Empty(all[4]);
    }

    [Fact]
    public async Task An_ack_adds_its_partition_to_a_map_liiklus_wrote_and_keeps_the_others()
    {
        var topic = NewTopic();
        await PutLiiklusItemAsync(topic, "billing-v1", ("3", "500"), ("4", "600"));

        await Storage.UpdateAsync(topic, new GroupId("billing", 1), 3, 20, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("billing", 1), 9, 90, CancellationToken.None);

        Assert.Equal(
            new Dictionary<string, string> { ["3"] = "20", ["4"] = "600", ["9"] = "90" },
            (await ItemAsync(topic, "billing-v1"))["positions"].M.ToDictionary(p => p.Key, p => p.Value.N));
    }

    [Fact]
    public async Task Group_ids_other_than_the_name_or_its_canonical_versions_are_not_versions_of_it()
    {
        var topic = NewTopic();
        foreach (var groupId in new[] { "g-v01", "g-v", "g-vx", "g-v0", "g-v-1", "g-v4294967296", "g-v1x", "gg", "g-other-v1", "g-v1-v2" })
        {
            await PutLiiklusItemAsync(topic, groupId, ("0", "666"));
        }

        await PutLiiklusItemAsync(topic, "g-v4", ("0", "4"));

        var all = await Storage.GetAllVersionsAsync(topic, "g", CancellationToken.None);

        Assert.Equal([4u], all.Keys);
        Assert.Equal(4, all[4][0]);
    }

    [Fact]
    public async Task Versions_are_found_across_many_query_pages()
    {
        var topic = NewTopic();
        // Items big enough that a Query page (1 MB at most) cannot hold them all.
        var padding = new string('x', 100_000);
        for (var version = 1u; version <= 15; version++)
        {
            await Storage.UpdateAsync(topic, new GroupId("g", version), 0, version, CancellationToken.None);
            await dynalite.Client.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = _table,
                Key = Key(topic, $"g-v{version}"),
                UpdateExpression = "SET padding = :padding",
                ExpressionAttributeValues = new() { [":padding"] = new AttributeValue { S = padding } },
            });
        }

        var all = await Storage.GetAllVersionsAsync(topic, "g", CancellationToken.None);

        Assert.Equal(Enumerable.Range(1, 15).Select(v => (uint)v), all.Keys.Order());
        Assert.All(all, version => Assert.Equal(version.Key, version.Value[0]));
    }

    [Fact]
    public async Task A_position_that_is_not_partition_to_offset_is_refused_rather_than_guessed()
    {
        var topic = NewTopic();
        await dynalite.Client.PutItemAsync(_table, new Dictionary<string, AttributeValue>(Key(topic, "g"))
        {
            ["positions"] = new() { M = new() { ["zero"] = new AttributeValue { N = "5" } } },
        });

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => Storage.GetAsync(topic, new GroupId("g", 0), CancellationToken.None));

        Assert.Contains($"({topic}, g)", refused.Message);
        Assert.Contains("zero", refused.Message);
    }

    [Fact]
    public async Task Without_auto_creation_a_missing_table_answers_unavailable_naming_it_and_the_setting()
    {
        var missing = DynaliteServer.NewTable();
        var storage = NewStorage(dynalite.Options(missing) with { AutoCreateTable = false });

        var unavailable = await Assert.ThrowsAsync<StorageUnavailableException>(() =>
            storage.UpdateAsync(NewTopic(), new GroupId("g", 0), 0, 1, CancellationToken.None));

        Assert.Contains($"table '{missing}' at {dynalite.Endpoint}", unavailable.Message);
        Assert.Contains("does not exist", unavailable.Message);
        Assert.Contains("dynamodb_autoCreateTable", unavailable.Message);
    }

    [Fact]
    public async Task A_table_deleted_under_a_running_storage_is_created_again()
    {
        var table = DynaliteServer.NewTable();
        var storage = NewStorage(dynalite.Options(table));
        var topic = NewTopic();
        await storage.UpdateAsync(topic, new GroupId("g", 0), 0, 1, CancellationToken.None);
        await dynalite.Client.DeleteTableAsync(table);

        await Eventually.Until(
            () => StorageCalls.Succeeds(() => storage.UpdateAsync(topic, new GroupId("g", 0), 0, 2, CancellationToken.None)),
            succeeded => succeeded,
            "an ack after the table was deleted");

        Assert.Equal(new Dictionary<int, long> { [0] = 2 }, await storage.GetAsync(topic, new GroupId("g", 0), CancellationToken.None));
    }

    [Fact]
    public async Task Listing_reads_items_liiklus_wrote_and_leaves_out_versions_without_positions()
    {
        var topic = NewTopic();
        await PutLiiklusItemAsync(topic, "billing", ("0", "41"), ("5", "42"));
        await PutLiiklusItemAsync(topic, "billing-v2", ("0", "7"));
        // Liiklus's first ack of a group creates an empty map, then sets the partition in it.
        await PutLiiklusItemAsync(topic, "billing-v4");
        await PutLiiklusItemAsync(topic, "orders-v01", ("1", "3"));
        await PutLiiklusItemAsync(topic, "stray", ("zero", "5"));

        var byTopic = await Storage.ListGroupsAsync(topic, CancellationToken.None);
        var all = await Storage.ListGroupsAsync(topic: null, CancellationToken.None);

        Assert.Equal(["billing", "orders-v01"], byTopic.Select(group => group.GroupName));
        Assert.Equal([0u, 2u], byTopic[0].Versions.Keys);
        Assert.Equal(2u, byTopic[0].LatestVersion);
        Assert.Equal(new Dictionary<int, long> { [0] = 41, [5] = 42 }, byTopic[0].Versions[0]);
        Assert.Equal(new Dictionary<int, long> { [1] = 3 }, byTopic[1].Versions[0]);
        Assert.Equal(byTopic.Select(group => (group.Topic, group.GroupName)), all.Select(group => (group.Topic, group.GroupName)));
    }

    [Fact]
    public async Task Listing_reads_every_page_of_the_scan_and_of_the_query()
    {
        var topics = new[] { NewTopic(), NewTopic() };
        // Items big enough that a page (1 MB at most) cannot hold them all.
        var padding = new string('x', 100_000);
        for (var version = 1u; version <= 15; version++)
        {
            var topic = topics[version % 2];
            await Storage.UpdateAsync(topic, new GroupId("g", version), 0, version, CancellationToken.None);
            await dynalite.Client.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = _table,
                Key = Key(topic, $"g-v{version}"),
                UpdateExpression = "SET padding = :padding",
                ExpressionAttributeValues = new() { [":padding"] = new AttributeValue { S = padding } },
            });
        }

        var all = await Storage.ListGroupsAsync(topic: null, CancellationToken.None);
        var odd = await Storage.ListGroupsAsync(topics[1], CancellationToken.None);

        Assert.Equal(15, all.Sum(group => group.Versions.Count));
        Assert.Equal(Enumerable.Range(1, 15).Where(v => v % 2 == 1).Select(v => (uint)v), odd.Single().Versions.Keys);
        Assert.All(all.SelectMany(group => group.Versions), version => Assert.Equal(version.Key, version.Value[0]));
    }

    private DynamoDbPositionsStorage NewStorage(DynamoDbPositionsOptions options)
    {
        var storage = new DynamoDbPositionsStorage(options);
        _storages.Add(storage);
        return storage;
    }

    private async Task<Dictionary<string, AttributeValue>> ItemAsync(string topic, string groupId) =>
        (await dynalite.Client.GetItemAsync(new GetItemRequest { TableName = _table, Key = Key(topic, groupId), ConsistentRead = true })).Item
        ?? throw new InvalidOperationException($"no item ({topic}, {groupId})");

    private Task PutLiiklusItemAsync(string topic, string groupId, params (string Partition, string Offset)[] positions) =>
        dynalite.Client.PutItemAsync(_table, new Dictionary<string, AttributeValue>(Key(topic, groupId))
        {
            ["positions"] = new() { M = positions.ToDictionary(p => p.Partition, p => new AttributeValue { N = p.Offset }) },
        });

    private static Dictionary<string, AttributeValue> Key(string topic, string groupId) => new()
    {
        ["topic"] = new AttributeValue { S = topic },
        ["groupId"] = new AttributeValue { S = groupId },
    };
}
