using System.Collections.Concurrent;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Liiklus.Storage.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Liiklus.Storage.Positions.Kafka;

/// <summary>
/// Positions as Kafka consumer-group offsets, committed through the admin API: the gateway never joins the groups.
/// Group id = the prefix and Liiklus's <see cref="VersionedGroupIds"/> form (<c>name</c>, <c>name-vN</c>); the
/// committed offset is the acked one + 1, Kafka's "next to read", so Kafka's own tools show each group's true lag
/// and a plain consumer joining the group starts right after the last ack. An ack is one OffsetCommit request.
/// Every call answers within <see cref="KafkaPositionsOptions.CommandTimeout"/> (or the caller's token, if sooner).
/// <para>
/// Kafka offers one way to find consumer groups, ListGroups, which Confluent.Kafka 2.16 cannot use safely (see
/// <see cref="KafkaPositionsOptions.ListGroups"/>). Where it is off, the storage lists the group versions it knows:
/// those acked through it, or whose positions it read (a Receive's start), since it started
/// (<see cref="KafkaPositionsOptions.MaxKnownGroups"/> at most). A group acked only through other nodes, or
/// before this one started, is not listed until it is acked or read here.
/// </para>
/// </summary>
public sealed class KafkaPositionsStorage : IPositionsStorage, IDisposable
{
    // Offset fetches of one group's versions in flight at once when versions are read one by one.
    private const int ParallelVersionReads = 8;

    // librdkafka must never time out a group request itself: its admin client aborts the process when a request
    // that timed out waiting for the group coordinator meets that coordinator once it is back (librdkafka 2.16,
    // rd_kafka_enq_once_del_source_return). Its own bound is set far past the storage's, and a request still
    // pending at the storage's bound gets its client retired instead (see Watch).
    private static readonly TimeSpan LibrdkafkaGrace = TimeSpan.FromMinutes(1);

    private readonly Func<IConsumerGroupAdmin> _newAdmin;
    private readonly Lock _adminLock = new();
    private readonly KafkaPositionsOptions _options;
    private readonly string _store;
    private readonly OutageReport _outages;
    private readonly ILogger _logger;
    private readonly KnownGroups _known;
    private readonly GroupListingCache _listing;
    private IConsumerGroupAdmin _admin;
    private volatile bool _listingUnsupported;
    private int _retiredClients;

    public KafkaPositionsStorage(KafkaPositionsOptions options, ILogger? logger = null)
        : this(() => new ConfluentConsumerGroupAdmin(BuildAdmin(options, logger ?? NullLogger.Instance)), options, logger)
    {
    }

    /// <param name="newAdmin">makes the admin clients the storage uses, owns and disposes</param>
    internal KafkaPositionsStorage(Func<IConsumerGroupAdmin> newAdmin, KafkaPositionsOptions options, ILogger? logger = null)
    {
        _newAdmin = newAdmin;
        _admin = newAdmin();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _store = $"Kafka positions storage at {options.BootstrapServers}";
        _outages = new OutageReport(_logger, _store);
        _known = new KnownGroups(options.MaxKnownGroups);
        _listing = new GroupListingCache(options.ListingMaxAge, TimeProvider.System);
    }

    public Task UpdateAsync(string topic, GroupId group, int partition, long offset, CancellationToken cancellationToken)
    {
        if (offset == long.MaxValue)
        {
            throw new PositionOutOfRangeException(
                "offset",
                $"{offset} cannot be stored in Kafka, which commits the next offset to read (the acked one + 1) as a signed 64-bit number");
        }

        var groupId = GroupIdOf(group);
        return RunAsync(
            $"store offset {offset} of topic '{topic}', group '{group.Name}' version {group.Version}, partition {partition}",
            async _ =>
            {
                try
                {
                    await Use(admin => admin.AlterConsumerGroupOffsetsAsync(
                        [new ConsumerGroupTopicPartitionOffsets(groupId, [new TopicPartitionOffset(topic, partition, offset + 1)])],
                        new AlterConsumerGroupOffsetsOptions { RequestTimeout = LibrdkafkaTimeout })).ConfigureAwait(false);
                }
                catch (AlterConsumerGroupOffsetsException e)
                {
                    var error = e.Results.SelectMany(result => result.Partitions.Select(p => p.Error).Prepend(result.Error))
                        .FirstOrDefault(error => error.IsError) ?? e.Error;
                    throw error.Code switch
                    {
                        ErrorCode.UnknownTopicOrPart => new PositionOutOfRangeException(
                            "partition",
                            $"Kafka has no partition {partition} of topic '{topic}' to commit an offset of group '{groupId}' to"),
                        // Kafka takes offsets of a group with live members from those members only.
                        ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration or ErrorCode.RebalanceInProgress => new KafkaException(new Error(
                            error.Code,
                            $"consumer group '{groupId}' has live members (a consumer outside the gateway is in it), and Kafka takes its offsets only from them until they leave")),
                        _ => new KafkaException(error),
                    };
                }

                Remember(topic, group);
                return true;
            },
            cancellationToken);
    }

    /// <summary>
    /// Deletes the group version's committed offsets of this topic's partitions (Kafka's OffsetDelete), leaving those of
    /// other topics: the consumer group is shared by every topic the name consumes.
    /// </summary>
    public Task DeleteAsync(string topic, GroupId group, CancellationToken cancellationToken)
    {
        if (!_options.DeleteOffsets)
        {
            return Task.FromException(new PositionsDeletionUnsupportedException(
                "the Kafka positions storage is set not to delete offsets (liiklus.storage.kafka-positions.delete-offsets = off); " +
                $"delete them with kafka-consumer-groups --delete-offsets --group {GroupIdOf(group)} --topic {topic}"));
        }

        var groupId = GroupIdOf(group);
        return RunAsync(
            $"delete the positions of topic '{topic}', group '{group.Name}' version {group.Version}",
            async _ =>
            {
                if (await PartitionsOfAsync(topic).ConfigureAwait(false) is not { Count: > 0 } partitions)
                {
                    return true;
                }

                try
                {
                    await Use(admin => admin.DeleteConsumerGroupOffsetsAsync(
                        groupId,
                        partitions,
                        new DeleteConsumerGroupOffsetsOptions { RequestTimeout = LibrdkafkaTimeout })).ConfigureAwait(false);
                }
                catch (DeleteConsumerGroupOffsetsException e)
                {
                    var error = e.Result.Partitions.Select(p => p.Error).FirstOrDefault(error => error.IsError) ?? e.Error;
                    // A group that never committed has nothing to delete.
                    if (error.Code is not (ErrorCode.GroupIdNotFound or ErrorCode.UnknownTopicOrPart))
                    {
                        throw new KafkaException(error);
                    }
                }

                _known.Forget(topic, group);
                return true;
            },
            cancellationToken);
    }

    public async Task<IReadOnlyDictionary<int, long>> GetAsync(string topic, GroupId group, CancellationToken cancellationToken)
    {
        var versions = await RunAsync(
            $"read the positions of topic '{topic}', group '{group.Name}' version {group.Version}",
            deadline => ReadVersionsAsync(topic, [group.Version], group.Name, deadline),
            cancellationToken).ConfigureAwait(false);
        if (versions.TryGetValue(group.Version, out var positions))
        {
            Remember(topic, group);
            return positions;
        }

        return new Dictionary<int, long>();
    }

    /// <summary>
    /// The versions found by listing the cluster's consumer groups when <see cref="KafkaPositionsOptions.ListGroups"/>
    /// is on and the brokers support it; otherwise version 0 only (see <see cref="GetVersionsForAsync"/>).
    /// </summary>
    public Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetAllVersionsAsync(
        string topic,
        string groupName,
        CancellationToken cancellationToken) =>
        GetVersionsForAsync(topic, new GroupId(groupName, 0), cancellationToken);

    /// <summary>
    /// Versions found by listing the cluster's consumer groups, when that is on and supported; otherwise the
    /// offsets of <c>name</c>, <c>name-v1</c>, … up to the reader's own version, read in parallel. Versions above
    /// the reader's are then not seen: they only mark records as replayed.
    /// </summary>
    public Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetVersionsForAsync(
        string topic,
        GroupId reader,
        CancellationToken cancellationToken) =>
        RunAsync(
            $"read the positions of every version of topic '{topic}', group '{reader.Name}'",
            async deadline =>
            {
                var versions = await ListedVersionsAsync(reader.Name).ConfigureAwait(false) ?? UpTo(reader.Version);
                var found = await ReadVersionsAsync(topic, versions, reader.Name, deadline).ConfigureAwait(false);
                foreach (var version in found.Keys)
                {
                    Remember(topic, new GroupId(reader.Name, version));
                }

                return found;
            },
            cancellationToken);

    /// <summary>
    /// With <see cref="KafkaPositionsOptions.ListGroups"/> on and supported: every consumer group under the prefix
    /// (one ListGroups, then one offsets fetch of all its committed partitions per group). Otherwise the group
    /// versions this storage knows (see the class), one offsets fetch each (8 in flight) after a DescribeTopics per
    /// topic; a version found without positions (its offsets were deleted) is forgotten. A listing of every group
    /// is kept for <see cref="KafkaPositionsOptions.ListingMaxAge"/>.
    /// </summary>
    public Task<IReadOnlyList<StoredGroup>> ListGroupsAsync(string? topic, CancellationToken cancellationToken) =>
        _listing.ListAsync(
            topic,
            (listed, ct) => RunAsync(
                listed is null ? "list the stored groups" : $"list the stored groups of topic '{listed}'",
                deadline => ListAsync(listed, deadline),
                ct),
            cancellationToken);

    /// <summary>0 to <paramref name="version"/>, as they are read: a huge version is cut short by the deadline, not listed.</summary>
    private static IEnumerable<uint> UpTo(uint version)
    {
        for (var v = 0u; v < version; v++)
        {
            yield return v;
        }

        yield return version;
    }

    /// <summary>Admin clients replaced because a request of theirs got no answer in time.</summary>
    internal int RetiredClients => Volatile.Read(ref _retiredClients);

    public void Dispose() => Volatile.Read(ref _admin).Dispose();

    private TimeSpan LibrdkafkaTimeout => _options.CommandTimeout + LibrdkafkaGrace;

    /// <summary>Starts one admin request on the current client, watched by <see cref="Watch"/>.</summary>
    private Task<T> Use<T>(Func<IConsumerGroupAdmin, Task<T>> request)
    {
        var admin = Volatile.Read(ref _admin);
        var pending = request(admin);
        _ = Watch(pending, admin);
        return pending;
    }

    /// <summary>
    /// Retires <paramref name="admin"/> when <paramref name="request"/> is still pending at the storage's bound,
    /// whether or not its caller still waits: destroying the client ends its pending requests cleanly, where
    /// librdkafka timing them out would abort the process once the coordinator is back. Requests it had queued
    /// are never sent, so an ack the caller heard fail is not applied later (one already sent may still be).
    /// </summary>
    private async Task Watch(Task request, IConsumerGroupAdmin admin)
    {
        try
        {
            await request.WaitAsync(_options.CommandTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Retire(admin);
        }
        catch (Exception)
        {
            // The caller hears of the request's failure; the watch only cares that it ended.
        }
    }

    private void Retire(IConsumerGroupAdmin admin)
    {
        lock (_adminLock)
        {
            if (!ReferenceEquals(_admin, admin))
            {
                return;
            }

            _admin = _newAdmin();
        }

        Interlocked.Increment(ref _retiredClients);
        _logger.LogWarning(
            "{Store}: a request got no answer within {CommandTimeout}; its admin client is replaced by a new one",
            _store,
            _options.CommandTimeout);
        // Destroying a librdkafka handle waits for its threads: not on the thread pool. Nothing thrown there may
        // escape: on a thread of its own it would end the process.
        new Thread(() =>
        {
            try
            {
                admin.Dispose();
            }
            catch (Exception e) when (e is ObjectDisposedException or KafkaException)
            {
                _logger.LogDebug(e, "{Store}: closing a replaced admin client failed", _store);
            }
        })
        { IsBackground = true, Name = "kafka-positions-retire" }.Start();
    }

    private string GroupIdOf(GroupId group) => _options.GroupIdPrefix + VersionedGroupIds.Of(group);

    private void Remember(string topic, GroupId group)
    {
        if (!_known.Remember(topic, group))
        {
            _logger.LogWarning(
                "{Store} remembers {MaxKnownGroups} group versions already: group '{Group}' version {Version} of topic '{Topic}' and later ones are not listed (metrics, admin calls) until some are forgotten",
                _store,
                _options.MaxKnownGroups,
                group.Name,
                group.Version,
                topic);
        }
    }

    private async Task<IReadOnlyList<StoredGroup>> ListAsync(string? topic, CancellationToken deadline)
    {
        if (await ListedGroupIdsAsync().ConfigureAwait(false) is { } listed)
        {
            return await ListedGroupsAsync(listed, topic, deadline).ConfigureAwait(false);
        }

        var known = _known.Of(topic);
        var partitions = new ConcurrentDictionary<string, List<TopicPartition>?>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            known.Select(k => k.Topic).Distinct(StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelVersionReads, CancellationToken = deadline },
            async (knownTopic, _) => partitions[knownTopic] = await PartitionsOfAsync(knownTopic).ConfigureAwait(false)).ConfigureAwait(false);

        var found = new ConcurrentBag<(string Topic, GroupId Group, IReadOnlyDictionary<int, long> Positions)>();
        await Parallel.ForEachAsync(
            known,
            new ParallelOptions { MaxDegreeOfParallelism = ParallelVersionReads, CancellationToken = deadline },
            async (version, _) =>
            {
                var positions = partitions[version.Topic] is { } topicPartitions
                    ? await OffsetsAsync(GroupIdOf(version.Group), topicPartitions).ConfigureAwait(false)
                    : [];
                if (positions.Count == 0)
                {
                    // Deleted, or its topic is gone: nothing to list, and nothing to remember until it is acked again.
                    _known.Forget(version.Topic, version.Group);
                }
                else
                {
                    found.Add((version.Topic, version.Group, positions));
                }
            }).ConfigureAwait(false);
        return StoredGroups.Of(found);
    }

    /// <summary>The groups of <paramref name="groupIds"/> that hold offsets (of <paramref name="topic"/> when given).</summary>
    private async Task<IReadOnlyList<StoredGroup>> ListedGroupsAsync(List<string> groupIds, string? topic, CancellationToken deadline)
    {
        var prefix = _options.GroupIdPrefix;
        var found = new ConcurrentBag<(string Topic, GroupId Group, IReadOnlyDictionary<int, long> Positions)>();
        await Parallel.ForEachAsync(
            groupIds.Where(id => id.StartsWith(prefix, StringComparison.Ordinal)),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelVersionReads, CancellationToken = deadline },
            async (groupId, _) =>
            {
                var group = VersionedGroupIds.Parse(groupId[prefix.Length..]);
                // Brokers answer every partition the group committed when none is named.
                var committed = await CommittedAsync(groupId, partitions: null).ConfigureAwait(false);
                foreach (var byTopic in committed.GroupBy(c => c.Topic, StringComparer.Ordinal))
                {
                    if (topic is null || string.Equals(byTopic.Key, topic, StringComparison.Ordinal))
                    {
                        found.Add((byTopic.Key, group, byTopic.ToDictionary(c => c.Partition, c => c.Position)));
                    }
                }
            }).ConfigureAwait(false);
        return StoredGroups.Of(found);
    }

    /// <summary>The versions of <paramref name="groupName"/> among the cluster's groups; null where listing is off or unsupported.</summary>
    private async Task<List<uint>?> ListedVersionsAsync(string groupName)
    {
        if (await ListedGroupIdsAsync().ConfigureAwait(false) is not { } groupIds)
        {
            return null;
        }

        var prefix = _options.GroupIdPrefix;
        var versions = new List<uint>();
        foreach (var groupId in groupIds)
        {
            if (groupId.StartsWith(prefix, StringComparison.Ordinal)
                && VersionedGroupIds.TryParseVersion(groupName, groupId[prefix.Length..], out var version))
            {
                versions.Add(version);
            }
        }

        return versions;
    }

    /// <summary>The ids of the cluster's consumer groups; null where listing is off or unsupported.</summary>
    private async Task<List<string>?> ListedGroupIdsAsync()
    {
        if (!_options.ListGroups || _listingUnsupported)
        {
            return null;
        }

        List<ConsumerGroupListing> groups;
        try
        {
            groups = (await Use(admin => admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { RequestTimeout = LibrdkafkaTimeout }))
                .ConfigureAwait(false)).Valid;
        }
        catch (ListConsumerGroupsException e)
            when (e.Results.Errors.Count > 0 && e.Results.Errors.All(error => error.Code is ErrorCode.Local_UnsupportedFeature or ErrorCode.UnsupportedVersion))
        {
            // Brokers without ListGroups stay without it: fall back once and for all rather than ask on every read.
            _listingUnsupported = true;
            _logger.LogWarning(
                "{Store}: the brokers cannot list consumer groups ({Reason}); versions of a group are read from 0 up to the reader's own from now on",
                _store,
                e.Results.Errors[0].Reason);
            return null;
        }
        catch (ListConsumerGroupsException e)
        {
            // Some brokers answered and some did not: a partial list could miss versions.
            throw new KafkaException(e.Results.Errors.First(error => error.IsError));
        }

        return [.. groups.Select(listing => listing.GroupId)];
    }

    private async Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> ReadVersionsAsync(
        string topic,
        IEnumerable<uint> versions,
        string groupName,
        CancellationToken deadline)
    {
        var all = new ConcurrentDictionary<uint, IReadOnlyDictionary<int, long>>();
        if (!versions.Any() || await PartitionsOfAsync(topic).ConfigureAwait(false) is not { } partitions)
        {
            return all;
        }

        // Kafka answers offsets of named partitions only (the mock cluster has no "every partition" form), one
        // group a request.
        await Parallel.ForEachAsync(
            versions,
            new ParallelOptions { MaxDegreeOfParallelism = ParallelVersionReads, CancellationToken = deadline },
            async (version, _) =>
            {
                var positions = await OffsetsAsync(GroupIdOf(new GroupId(groupName, version)), partitions).ConfigureAwait(false);
                if (positions.Count > 0)
                {
                    all[version] = positions;
                }
            }).ConfigureAwait(false);
        return all;
    }

    /// <summary>The topic's partitions; null when Kafka has no such topic (it then has no positions either).</summary>
    private async Task<List<TopicPartition>?> PartitionsOfAsync(string topic)
    {
        try
        {
            var described = await Use(admin => admin.DescribeTopicAsync(topic, new DescribeTopicsOptions { RequestTimeout = LibrdkafkaTimeout }))
                .ConfigureAwait(false);
            return described.TopicDescriptions.Single().Partitions.Select(p => new TopicPartition(topic, p.Partition)).ToList();
        }
        catch (DescribeTopicsException e) when (e.Results.TopicDescriptions.All(t => t.Error.Code == ErrorCode.UnknownTopicOrPart))
        {
            return null;
        }
        catch (DescribeTopicsException e)
        {
            throw new KafkaException(e.Results.TopicDescriptions.Select(t => t.Error).FirstOrDefault(error => error.IsError) ?? e.Error);
        }
    }

    private async Task<Dictionary<int, long>> OffsetsAsync(string groupId, List<TopicPartition> partitions) =>
        (await CommittedAsync(groupId, partitions).ConfigureAwait(false)).ToDictionary(c => c.Partition, c => c.Position);

    /// <summary>The positions the group's committed offsets stand for, of <paramref name="partitions"/> or, when null, of every partition it committed.</summary>
    private async Task<List<(string Topic, int Partition, long Position)>> CommittedAsync(string groupId, List<TopicPartition>? partitions)
    {
        List<TopicPartitionOffsetError> committed;
        try
        {
            committed = (await Use(admin => admin.ListConsumerGroupOffsetsAsync(
                    [new ConsumerGroupTopicPartitions(groupId, partitions)],
                    new ListConsumerGroupOffsetsOptions { RequestTimeout = LibrdkafkaTimeout })).ConfigureAwait(false))
                .Single().Partitions;
        }
        catch (ListConsumerGroupOffsetsException e)
        {
            throw new KafkaException(e.Results.SelectMany(r => r.Partitions.Select(p => p.Error).Prepend(r.Error)).FirstOrDefault(error => error.IsError) ?? e.Error);
        }

        var positions = new List<(string Topic, int Partition, long Position)>();
        foreach (var partition in committed)
        {
            // Kafka's committed offset is the next to read; the position is the one before it. A commit of 0 reads
            // as -1: nothing acked, start at 0. A partition without a commit answers a negative sentinel.
            if (partition.Offset.Value >= 0)
            {
                positions.Add((partition.Topic, partition.Partition.Value, partition.Offset.Value - 1));
            }
        }

        return positions;
    }

    private async Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            // librdkafka's admin calls take no token: the deadline ends the wait, and Watch their requests.
            var result = await Deadline.RunAsync(_options.CommandTimeout, operation, cancellationToken).ConfigureAwait(false);
            _outages.Succeeded();
            return result;
        }
        catch (TimeoutException e)
        {
            throw Unavailable(StorageUnavailableException.Positions(
                $"{_store} did not answer within {_options.CommandTimeout.TotalSeconds:0.###}s: could not {what}", e));
        }
        catch (KafkaException e)
        {
            throw Unavailable(StorageUnavailableException.Positions(
                $"{_store} is unavailable: could not {what}: {e.Error.Code} ({e.Error.Reason})", e));
        }
    }

    private StorageUnavailableException Unavailable(StorageUnavailableException failure)
    {
        _outages.Failed(failure);
        return failure;
    }

    private static IAdminClient BuildAdmin(KafkaPositionsOptions options, ILogger logger)
    {
        var config = new Dictionary<string, string>(options.Properties)
        {
            ["bootstrap.servers"] = options.BootstrapServers,
            ["client.id"] = "liiklus-gateway-positions",
        };
        var log = LibrdkafkaLog.WithoutScopeNotices(LibrdkafkaLog.To(logger));
        return new AdminClientBuilder(config)
            .SetLogHandler((_, message) => log(message))
            .SetErrorHandler((client, error) => log(new LogMessage(
                client.Name, error.IsFatal ? SyslogLevel.Error : SyslogLevel.Warning, "ERROR", error.ToString())))
            .Build();
    }
}
