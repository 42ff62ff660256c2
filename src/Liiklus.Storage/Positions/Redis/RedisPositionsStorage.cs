using System.Globalization;
using StackExchange.Redis;

namespace Liiklus.Storage.Positions.Redis;

/// <summary>
/// Positions in Redis, in Liiklus's own layout so a deployment switches over without losing them: one HASH per
/// group version at <see cref="PositionKeys"/>, field = partition, value = offset, both as decimal text.
/// An ack is a plain HSET: last write wins. Every call answers within <see cref="RedisPositionsOptions.CommandTimeout"/>
/// (or the caller's token, if sooner); an unreachable or silent Redis is a <see cref="StorageUnavailableException"/>.
/// </summary>
public sealed class RedisPositionsStorage(IConnectionMultiplexer redis, RedisPositionsOptions options) : IPositionsStorage
{
    // SCAN's COUNT hint: keys looked at per round trip. Larger pages mean fewer round trips over a big keyspace,
    // while each page stays a short blocking step for the Redis server.
    private const int ScanPageSize = 1000;

    private readonly GroupListingCache _listing = new(options.ListingMaxAge, TimeProvider.System);

    public Task UpdateAsync(string topic, GroupId group, int partition, long offset, CancellationToken cancellationToken) =>
        RunAsync(
            $"store offset {offset} of topic '{topic}', group '{group.Name}' version {group.Version}, partition {partition}",
            (database, deadline) => Within(
                database.HashSetAsync(
                    PositionKeys.Of(topic, group),
                    partition.ToString(CultureInfo.InvariantCulture),
                    offset.ToString(CultureInfo.InvariantCulture)),
                deadline),
            cancellationToken);

    public Task DeleteAsync(string topic, GroupId group, CancellationToken cancellationToken) =>
        RunAsync(
            $"delete the positions of topic '{topic}', group '{group.Name}' version {group.Version}",
            (database, deadline) => Within(database.KeyDeleteAsync(PositionKeys.Of(topic, group)), deadline),
            cancellationToken);

    public Task<IReadOnlyDictionary<int, long>> GetAsync(string topic, GroupId group, CancellationToken cancellationToken) =>
        RunAsync(
            $"read the positions of topic '{topic}', group '{group.Name}' version {group.Version}",
            async (database, deadline) =>
            {
                var key = PositionKeys.Of(topic, group);
                return (IReadOnlyDictionary<int, long>)ToPositions(key, await Within(database.HashGetAllAsync(key), deadline).ConfigureAwait(false));
            },
            cancellationToken);

    /// <summary>Every version this storage finds: it lists a name's versions.</summary>
    public Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetVersionsForAsync(
        string topic,
        GroupId reader,
        CancellationToken cancellationToken) =>
        GetAllVersionsAsync(topic, reader.Name, cancellationToken);

    /// <remarks>
    /// Versions are found with SCAN + MATCH rather than an index set written beside the hashes: keys written by
    /// Liiklus itself have no such index, and a deployment moving over must still see every version it acked.
    /// SCAN never blocks Redis the way KEYS does; its cost grows with the database's key count, and it runs only
    /// when a Receive starts, so keep positions in a database of their own when Redis holds much else.
    /// </remarks>
    public Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetAllVersionsAsync(
        string topic,
        string groupName,
        CancellationToken cancellationToken) =>
        RunAsync(
            $"read the positions of every version of topic '{topic}', group '{groupName}'",
            async (database, deadline) =>
            {
                var versionsPrefix = PositionKeys.VersionsPrefix(topic, groupName);
                var keys = await ScanVersionsAsync(database, versionsPrefix, deadline).ConfigureAwait(false);
                var hashes = await Within(Task.WhenAll(keys.Select(k => database.HashGetAllAsync(k.Key))), deadline).ConfigureAwait(false);

                var all = new Dictionary<uint, IReadOnlyDictionary<int, long>>();
                for (var i = 0; i < keys.Count; i++)
                {
                    // A key deleted between SCAN and HGETALL reads as empty: it has no positions any more.
                    if (hashes[i].Length > 0)
                    {
                        all[keys[i].Version] = ToPositions(keys[i].Key, hashes[i]);
                    }
                }

                return (IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>)all;
            },
            cancellationToken);

    /// <remarks>
    /// One <c>SCAN</c> of the database with <c>MATCH liiklus:positions:*</c> (never <c>KEYS</c>), a page of keys
    /// per round trip, then the page's hashes read together before the next page: at most a page of reads in
    /// flight. A listing of one topic walks the same keyspace, so both are served from one listing kept for
    /// <see cref="RedisPositionsOptions.ListingMaxAge"/>. Keys are read with <see cref="PositionKeys.TryParse"/>; one
    /// that is not a group version's key, or not a hash of partition → offset, is passed over.
    /// </remarks>
    public async Task<IReadOnlyList<StoredGroup>> ListGroupsAsync(string? topic, CancellationToken cancellationToken)
    {
        var all = await _listing.GetAsync(
            () => RunAsync("list the stored groups", ListEveryGroupAsync, CancellationToken.None),
            cancellationToken).ConfigureAwait(false);
        return StoredGroups.OfTopic(all, topic);
    }

    private static async Task<IReadOnlyList<StoredGroup>> ListEveryGroupAsync(IDatabaseAsync database, CancellationToken deadline)
    {
        var pattern = PositionKeys.ScanPattern(PositionKeys.Prefix);
        // SCAN may return a key more than once: each is read once.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var found = new List<(string Topic, GroupId Group, IReadOnlyDictionary<int, long> Positions)>();
        var cursor = "0";
        do
        {
            var page = (RedisResult[])(await Within(
                database.ExecuteAsync("SCAN", cursor, "MATCH", pattern, "COUNT", ScanPageSize),
                deadline).ConfigureAwait(false))!;
            cursor = (string)page[0]!;
            var keys = new List<(string Key, string Topic, GroupId Group)>();
            foreach (var key in (string[])page[1]!)
            {
                if (seen.Add(key) && PositionKeys.TryParse(key, out var keyTopic, out var group))
                {
                    keys.Add((key, keyTopic, group));
                }
            }

            var hashes = await Within(Task.WhenAll(keys.Select(k => HashOrNullAsync(database, k.Key))), deadline).ConfigureAwait(false);
            for (var i = 0; i < keys.Count; i++)
            {
                // A key deleted between SCAN and HGETALL reads as empty and is left out with the other empty ones.
                if (hashes[i] is { } hash && TryToPositions(hash, out var positions))
                {
                    found.Add((keys[i].Topic, keys[i].Group, positions));
                }
            }
        }
        while (cursor != "0");

        return StoredGroups.Of(found);
    }

    private static async Task<List<(uint Version, string Key)>> ScanVersionsAsync(
        IDatabaseAsync database,
        string versionsPrefix,
        CancellationToken deadline)
    {
        var pattern = PositionKeys.ScanPattern(versionsPrefix);
        // SCAN may return a key more than once; the set keeps one of each.
        var found = new HashSet<(uint Version, string Key)>();
        var cursor = "0";
        do
        {
            var page = (RedisResult[])(await Within(
                database.ExecuteAsync("SCAN", cursor, "MATCH", pattern, "COUNT", ScanPageSize),
                deadline).ConfigureAwait(false))!;
            cursor = (string)page[0]!;
            foreach (var key in (string[])page[1]!)
            {
                if (PositionKeys.TryParseVersion(versionsPrefix, key, out var version))
                {
                    found.Add((version, key));
                }
            }
        }
        while (cursor != "0");

        return [.. found];
    }

    /// <summary>The key's hash; null when the key holds something else than a hash (WRONGTYPE).</summary>
    private static async Task<HashEntry[]?> HashOrNullAsync(IDatabaseAsync database, string key)
    {
        try
        {
            return await database.HashGetAllAsync(key).ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal))
        {
            return null;
        }
    }

    /// <summary>
    /// What a listing reads of a hash: a stray key under the prefix, which something else wrote, is left out of it
    /// rather than failing the listing of every group; reading that group's positions still refuses it loudly.
    /// </summary>
    private static bool TryToPositions(HashEntry[] entries, out IReadOnlyDictionary<int, long> positions)
    {
        var parsed = new Dictionary<int, long>(entries.Length);
        positions = parsed;
        foreach (var entry in entries)
        {
            if (!int.TryParse((string?)entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                || !long.TryParse((string?)entry.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var offset))
            {
                return false;
            }

            parsed[partition] = offset;
        }

        return true;
    }

    private static Dictionary<int, long> ToPositions(string key, HashEntry[] entries)
    {
        var positions = new Dictionary<int, long>(entries.Length);
        foreach (var entry in entries)
        {
            // A field that is not partition → offset means something else writes these keys; guessing a start
            // offset from it could skip or replay records, so refuse loudly instead.
            if (!int.TryParse((string?)entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                || !long.TryParse((string?)entry.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var offset))
            {
                throw new InvalidDataException(
                    $"Redis hash '{key}' holds field '{entry.Name}' = '{entry.Value}', which is not partition → offset as decimal text");
            }

            positions[partition] = offset;
        }

        return positions;
    }

    /// <summary>
    /// Runs <paramref name="operation"/> under one deadline for the whole call. StackExchange.Redis commands take
    /// no token, so each is raced against the deadline (see <see cref="Within{T}"/>) and a call never outlives it.
    /// Awaits here never resume on the caller's synchronization context: under xunit's, a burst of 5,000 acks
    /// on a healthy local Redis intermittently blew the 5 s deadline until they stopped resuming there.
    /// </summary>
    private async Task<T> RunAsync<T>(string what, Func<IDatabaseAsync, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.CommandTimeout);
        try
        {
            return await operation(redis.GetDatabase(), deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw StorageUnavailableException.Positions(
                $"Redis positions storage at {options.Endpoint} did not answer within {options.CommandTimeout.TotalSeconds:0.###}s " +
                $"({(redis.IsConnected ? "connected but silent" : "not connected, reconnecting")}): could not {what}");
        }
        catch (Exception e) when (IsOutage(e))
        {
            throw StorageUnavailableException.Positions(
                $"Redis positions storage at {options.Endpoint} is unavailable: could not {what}: {WithoutDiagnostics(e.Message)}", e);
        }
    }

    // StackExchange.Redis appends connection and thread-pool counters (", mc: 1/1/0, ... IOCP: ...") to its
    // messages: useful in a log, noise in a status a client reads. The inner exception keeps them.
    private static string WithoutDiagnostics(string message)
    {
        var counters = message.IndexOf(", mc: ", StringComparison.Ordinal);
        return counters < 0 ? message : message[..counters];
    }

    private static async Task<T> Within<T>(Task<T> command, CancellationToken deadline)
    {
        try
        {
            return await command.WaitAsync(deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The command is abandoned, not stopped: observe its eventual failure so it is not reported as unobserved.
            _ = command.ContinueWith(static t => t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
            throw;
        }
    }

    private static bool IsOutage(Exception e) => e switch
    {
        RedisConnectionException or TimeoutException => true,
        // Answers of a Redis that is up but cannot serve yet: loading its data, busy in a script, a replica
        // without its primary. They pass, so they are outages, not bugs.
        RedisServerException server => server.Message.StartsWith("LOADING", StringComparison.Ordinal)
            || server.Message.StartsWith("BUSY", StringComparison.Ordinal)
            || server.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
            || server.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal),
        _ => false,
    };
}
