using System.Globalization;
using System.Net.Sockets;
using Amazon;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Liiklus.Storage.Positions.DynamoDb;

/// <summary>
/// Positions in DynamoDB in Liiklus's own table layout, so a Liiklus table is used as it stands: one item per
/// group version, hash key <c>topic</c>, range key <c>groupId</c> (<see cref="VersionedGroupIds"/>), attribute
/// <c>positions</c>, a map from the partition (as a string) to the last acked offset (a number).
/// An ack is one <c>SET positions.#p = :pos</c> on the condition that the map exists; the first ack of a group
/// version creates the map instead, so acks of different partitions never overwrite each other. Every call
/// answers within <see cref="DynamoDbPositionsOptions.CommandTimeout"/> (or the caller's token, if sooner).
/// </summary>
public sealed class DynamoDbPositionsStorage : IPositionsStorage, IDisposable
{
    public const string TopicKey = "topic";
    public const string GroupIdKey = "groupId";
    public const string PositionsAttribute = "positions";

    private readonly IAmazonDynamoDB _client;
    private readonly DynamoDbPositionsOptions _options;
    private readonly string _store;
    private readonly OutageReport _outages;
    private readonly GroupListingCache _listing;
    private readonly Lock _tableLock = new();
    private Task? _tableCreation;

    public DynamoDbPositionsStorage(DynamoDbPositionsOptions options, ILogger? logger = null)
        : this(new AmazonDynamoDBClient(ClientConfig(options)), options, logger)
    {
    }

    /// <param name="client">owned by the storage from here on: disposed with it</param>
    public DynamoDbPositionsStorage(IAmazonDynamoDB client, DynamoDbPositionsOptions options, ILogger? logger = null)
    {
        _client = client;
        _options = options;
        _store = $"DynamoDB positions storage (table '{options.PositionsTable}' at {options.Endpoint ?? RegionOf(client)})";
        _outages = new OutageReport(logger ?? NullLogger.Instance, _store);
        _listing = new GroupListingCache(options.ListingMaxAge, TimeProvider.System);
    }

    public Task UpdateAsync(string topic, GroupId group, int partition, long offset, CancellationToken cancellationToken) =>
        RunAsync(
            $"store offset {offset} of topic '{topic}', group '{group.Name}' version {group.Version}, partition {partition}",
            async deadline =>
            {
                var key = Key(topic, VersionedGroupIds.Of(group));
                var position = new AttributeValue { N = offset.ToString(CultureInfo.InvariantCulture) };
                var partitionName = partition.ToString(CultureInfo.InvariantCulture);
                // Creating the map can lose to another ack creating it; the SET is then tried again, now that it exists.
                while (!await TrySetAsync(key, partitionName, position, deadline).ConfigureAwait(false)
                       && !await TryCreateAsync(key, partitionName, position, deadline).ConfigureAwait(false))
                {
                }

                return true;
            },
            cancellationToken);

    public Task DeleteAsync(string topic, GroupId group, CancellationToken cancellationToken) =>
        RunAsync(
            $"delete the positions of topic '{topic}', group '{group.Name}' version {group.Version}",
            async deadline =>
            {
                await _client.DeleteItemAsync(
                    new DeleteItemRequest { TableName = _options.PositionsTable, Key = Key(topic, VersionedGroupIds.Of(group)) },
                    deadline).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    public Task<IReadOnlyDictionary<int, long>> GetAsync(string topic, GroupId group, CancellationToken cancellationToken) =>
        RunAsync(
            $"read the positions of topic '{topic}', group '{group.Name}' version {group.Version}",
            async deadline =>
            {
                var groupId = VersionedGroupIds.Of(group);
                var response = await _client.GetItemAsync(
                    new GetItemRequest
                    {
                        TableName = _options.PositionsTable,
                        Key = Key(topic, groupId),
                        ConsistentRead = true,
                        ProjectionExpression = PositionsAttribute,
                    },
                    deadline).ConfigureAwait(false);
                return (IReadOnlyDictionary<int, long>)ToPositions(topic, groupId, response.Item);
            },
            cancellationToken);

    /// <summary>Every version this storage finds: it lists a name's versions.</summary>
    public Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetVersionsForAsync(
        string topic,
        GroupId reader,
        CancellationToken cancellationToken) =>
        GetAllVersionsAsync(topic, reader.Name, cancellationToken);

    /// <remarks>
    /// Liiklus's way: a Query of the topic's items whose <c>groupId</c> begins with the name, keeping only the
    /// name itself and its <c>-vN</c> forms. One topic's items are one partition of the table, so the cost grows
    /// with the topic's groups, not the table's.
    /// </remarks>
    public Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetAllVersionsAsync(
        string topic,
        string groupName,
        CancellationToken cancellationToken) =>
        RunAsync(
            $"read the positions of every version of topic '{topic}', group '{groupName}'",
            async deadline =>
            {
                var all = new Dictionary<uint, IReadOnlyDictionary<int, long>>();
                Dictionary<string, AttributeValue>? startAfter = null;
                do
                {
                    var page = await _client.QueryAsync(
                        new QueryRequest
                        {
                            TableName = _options.PositionsTable,
                            KeyConditionExpression = "#topic = :topic AND begins_with(#groupId, :name)",
                            ExpressionAttributeNames = new() { ["#topic"] = TopicKey, ["#groupId"] = GroupIdKey, ["#positions"] = PositionsAttribute },
                            ExpressionAttributeValues = new() { [":topic"] = new() { S = topic }, [":name"] = new() { S = groupName } },
                            ProjectionExpression = "#groupId, #positions",
                            ConsistentRead = true,
                            ExclusiveStartKey = startAfter,
                        },
                        deadline).ConfigureAwait(false);
                    foreach (var item in page.Items ?? [])
                    {
                        var groupId = item[GroupIdKey].S;
                        if (VersionedGroupIds.TryParseVersion(groupName, groupId, out var version))
                        {
                            all[version] = ToPositions(topic, groupId, item);
                        }
                    }

                    startAfter = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
                }
                while (startAfter is not null);

                return (IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>)all;
            },
            cancellationToken);

    /// <remarks>
    /// Every group: a Scan of the table, a page (1 MB at most) per request, kept for
    /// <see cref="DynamoDbPositionsOptions.ListingMaxAge"/>. One topic's groups: a Query of its items, one
    /// partition of the table, not kept. Group ids read with <see cref="VersionedGroupIds.Parse"/>; an
    /// item whose positions are not partition → offset is passed over.
    /// </remarks>
    public Task<IReadOnlyList<StoredGroup>> ListGroupsAsync(string? topic, CancellationToken cancellationToken) =>
        _listing.ListAsync(
            topic,
            (listed, ct) => RunAsync(
                listed is null ? "list the stored groups" : $"list the stored groups of topic '{listed}'",
                deadline => ListAsync(listed, deadline),
                ct),
            cancellationToken);

    public void Dispose() => _client.Dispose();

    private async Task<IReadOnlyList<StoredGroup>> ListAsync(string? topic, CancellationToken deadline)
    {
        var names = new Dictionary<string, string> { ["#topic"] = TopicKey, ["#groupId"] = GroupIdKey, ["#positions"] = PositionsAttribute };
        var found = new List<(string Topic, GroupId Group, IReadOnlyDictionary<int, long> Positions)>();
        Dictionary<string, AttributeValue>? startAfter = null;
        do
        {
            List<Dictionary<string, AttributeValue>>? items;
            if (topic is null)
            {
                var page = await _client.ScanAsync(
                    new ScanRequest
                    {
                        TableName = _options.PositionsTable,
                        ExpressionAttributeNames = names,
                        ProjectionExpression = "#topic, #groupId, #positions",
                        ConsistentRead = true,
                        ExclusiveStartKey = startAfter,
                    },
                    deadline).ConfigureAwait(false);
                (items, startAfter) = (page.Items, page.LastEvaluatedKey);
            }
            else
            {
                var page = await _client.QueryAsync(
                    new QueryRequest
                    {
                        TableName = _options.PositionsTable,
                        KeyConditionExpression = "#topic = :topic",
                        ExpressionAttributeNames = names,
                        ExpressionAttributeValues = new() { [":topic"] = new() { S = topic } },
                        ProjectionExpression = "#topic, #groupId, #positions",
                        ConsistentRead = true,
                        ExclusiveStartKey = startAfter,
                    },
                    deadline).ConfigureAwait(false);
                (items, startAfter) = (page.Items, page.LastEvaluatedKey);
            }

            foreach (var item in items ?? [])
            {
                // An item something else wrote is left out of the listing rather than failing the listing of every
                // group; reading that group's positions still refuses it loudly.
                try
                {
                    var itemTopic = item[TopicKey].S;
                    var groupId = item[GroupIdKey].S;
                    found.Add((itemTopic, VersionedGroupIds.Parse(groupId), ToPositions(itemTopic, groupId, item)));
                }
                catch (InvalidDataException)
                {
                }
            }

            startAfter = startAfter is { Count: > 0 } ? startAfter : null;
        }
        while (startAfter is not null);

        return StoredGroups.Of(found);
    }

    private async Task<bool> TrySetAsync(Dictionary<string, AttributeValue> key, string partition, AttributeValue position, CancellationToken deadline)
    {
        try
        {
            await _client.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = _options.PositionsTable,
                    Key = key,
                    UpdateExpression = "SET #positions.#p = :pos",
                    ConditionExpression = "attribute_exists(#positions)",
                    ExpressionAttributeNames = new() { ["#positions"] = PositionsAttribute, ["#p"] = partition },
                    ExpressionAttributeValues = new() { [":pos"] = position },
                },
                deadline).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    private async Task<bool> TryCreateAsync(Dictionary<string, AttributeValue> key, string partition, AttributeValue position, CancellationToken deadline)
    {
        try
        {
            await _client.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = _options.PositionsTable,
                    Key = key,
                    UpdateExpression = "SET #positions = :positions",
                    ConditionExpression = "attribute_not_exists(#positions)",
                    ExpressionAttributeNames = new() { ["#positions"] = PositionsAttribute },
                    ExpressionAttributeValues = new() { [":positions"] = new() { M = new() { [partition] = position } } },
                },
                deadline).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    private static Dictionary<string, AttributeValue> Key(string topic, string groupId) => new()
    {
        [TopicKey] = new AttributeValue { S = topic },
        [GroupIdKey] = new AttributeValue { S = groupId },
    };

    private Dictionary<int, long> ToPositions(string topic, string groupId, Dictionary<string, AttributeValue>? item)
    {
        var positions = new Dictionary<int, long>();
        if (item is null || !item.TryGetValue(PositionsAttribute, out var map) || map.M is null)
        {
            return positions;
        }

        foreach (var (partition, offset) in map.M)
        {
            // Anything but partition → offset means something else writes this item; guessing a start offset
            // from it could skip or replay records, so refuse loudly instead.
            if (!int.TryParse(partition, NumberStyles.None, CultureInfo.InvariantCulture, out var partitionNumber)
                || offset.N is null
                || !long.TryParse(offset.N, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var offsetNumber))
            {
                throw new InvalidDataException(
                    $"DynamoDB table '{_options.PositionsTable}' item ({topic}, {groupId}) holds positions['{partition}'] = {offset.N ?? offset.S ?? "a non-number"}, which is not partition → offset");
            }

            positions[partitionNumber] = offsetNumber;
        }

        return positions;
    }

    private async Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            var result = await Deadline.RunAsync(
                _options.CommandTimeout,
                async deadline =>
                {
                    if (_options.AutoCreateTable)
                    {
                        await TableCreated().WaitAsync(deadline).ConfigureAwait(false);
                    }

                    return await operation(deadline).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            _outages.Succeeded();
            return result;
        }
        catch (TimeoutException e)
        {
            var creating = _options.AutoCreateTable && _tableCreation is { IsCompleted: false } ? " (the table is still being created)" : "";
            throw Unavailable(StorageUnavailableException.Positions(
                $"{_store} did not answer within {_options.CommandTimeout.TotalSeconds:0.###}s{creating}: could not {what}", e));
        }
        catch (ResourceNotFoundException e)
        {
            if (_options.AutoCreateTable)
            {
                // Deleted after this storage created it: the next call creates it again.
                ForgetTable();
            }

            throw Unavailable(StorageUnavailableException.Positions(
                $"{_store}: the table does not exist{(_options.AutoCreateTable ? " (it is being created again)" : "; create it, or set dynamodb_autoCreateTable")}: could not {what}",
                e));
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or SocketException or IOException)
        {
            // Unreachable, throttled past the SDK's retries, failing, or refusing the credentials: every one may
            // pass without a restart of the gateway, so the caller may try again later.
            throw Unavailable(StorageUnavailableException.Positions($"{_store} is unavailable: could not {what}: {Describe(e)}", e));
        }
    }

    /// <summary>The one creation of the table in progress or done; a failed one is tried again by the next call.</summary>
    private Task TableCreated()
    {
        lock (_tableLock)
        {
            if (_tableCreation is null || _tableCreation.IsFaulted || _tableCreation.IsCanceled)
            {
                // Not bound to one call's deadline: on AWS a table takes longer to become active than a call may wait.
                _tableCreation = CreateTableAsync();
            }

            return _tableCreation;
        }
    }

    private void ForgetTable()
    {
        lock (_tableLock)
        {
            _tableCreation = null;
        }
    }

    private async Task CreateTableAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await _client.CreateTableAsync(
                new CreateTableRequest
                {
                    TableName = _options.PositionsTable,
                    KeySchema = [new KeySchemaElement(TopicKey, KeyType.HASH), new KeySchemaElement(GroupIdKey, KeyType.RANGE)],
                    AttributeDefinitions =
                    [
                        new AttributeDefinition(TopicKey, ScalarAttributeType.S),
                        new AttributeDefinition(GroupIdKey, ScalarAttributeType.S),
                    ],
                    BillingMode = BillingMode.PAY_PER_REQUEST,
                },
                bound.Token).ConfigureAwait(false);
        }
        catch (ResourceInUseException)
        {
            // It exists already (or another node is creating it): wait for it to be active all the same.
        }

        // Soon active where tables are local, in seconds to minutes on AWS: ask often first, then less.
        var pause = TimeSpan.FromMilliseconds(20);
        while ((await _client.DescribeTableAsync(_options.PositionsTable, bound.Token).ConfigureAwait(false)).Table.TableStatus != TableStatus.ACTIVE)
        {
            await Task.Delay(pause, bound.Token).ConfigureAwait(false);
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 1000));
        }
    }

    private StorageUnavailableException Unavailable(StorageUnavailableException failure)
    {
        _outages.Failed(failure);
        return failure;
    }

    private static string Describe(Exception e) => e switch
    {
        AmazonServiceException service when service.ErrorCode is not null => $"{service.ErrorCode} ({service.Message})",
        _ => e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message,
    };

    private static AmazonDynamoDBConfig ClientConfig(DynamoDbPositionsOptions options)
    {
        var config = new AmazonDynamoDBConfig
        {
            // Bounds one attempt; the SDK's retries of throttled or failed attempts run within the call's deadline.
            Timeout = options.CommandTimeout,
        };
        if (options.Endpoint is { Length: > 0 } endpoint)
        {
            config.ServiceURL = endpoint;
            // Requests are signed for a region even off AWS, and the SDK cannot read one from a local address. Read
            // from the environment only: the SDK's full chain would ask EC2's metadata service, and wait for it.
            config.AuthenticationRegion = Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } region
                ? region
                : RegionEndpoint.USEast1.SystemName;
        }

        return config;
    }

    private static string RegionOf(IAmazonDynamoDB client) =>
        client.Config.RegionEndpoint?.SystemName ?? client.Config.ServiceURL ?? "the SDK's default region";
}
