using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Liiklus.Actors.Browsing;
using Liiklus.Actors.Groups;
using Liiklus.Actors.Placement;
using Liiklus.Api.Grpc;
using Liiklus.Api.Security.Jwt;
using Liiklus.Api.Security.Scopes;
using Liiklus.Protocol.Admin;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Records;

namespace Liiklus.Api.Admin;

/// <summary>
/// The admin API's reads: topics and their offsets from the records storage, groups and their positions from the
/// positions storage (a group is listed once it has stored a position), live sessions from each group's coordinator. Offsets are "the next record delivered"
/// (<see cref="TopicOffsets"/>). A listing answers only what the caller's token may read (<see cref="CallerScopes"/>).
/// WatchGroup repeats DescribeGroup's answer; Browse reads records through the core's <see cref="TopicBrowser"/>.
/// </summary>
public sealed class LiiklusAdminGrpcService(
    IRecordsStorage records,
    IPositionsStorage positions,
    GroupMembership membership,
    TopicBrowser browser,
    GroupPositions groupPositions,
    CoordinatorPlacement placement,
    TimeProvider clock,
    ColdStatusReader coldStatus) : LiiklusAdminServiceContract
{
    // A coordinator that does not answer within this leaves its group's live members and owners unset.
    private static readonly TimeSpan CoordinatorAnswer = TimeSpan.FromSeconds(3);

    // A watcher hears from an unchanged group this often, so it knows the watch is alive.
    private static readonly TimeSpan WatchHeartbeat = TimeSpan.FromMinutes(1);
    private const int ConcurrentGroupQuestions = 16;

    public override async Task<ListTopicsReply> ListTopics(ListTopicsRequest request, ServerCallContext context)
    {
        var topics = await records.ListTopicsAsync(context.CancellationToken);
        var reply = new ListTopicsReply();
        reply.Topics.AddRange(topics.Where(topic => CallerScopes.MayRead(context, topic)));
        return reply;
    }

    public override async Task<DescribeClusterReply> DescribeCluster(DescribeClusterRequest request, ServerCallContext context)
    {
        var nodes = await placement.DescribeAsync(CoordinatorAnswer, context.CancellationToken);
        var reply = new DescribeClusterReply();
        foreach (var node in nodes)
        {
            var described = new ClusterNode
            {
                Address = node.Address,
                Status = node.Status,
                Self = node.Self,
                Leader = node.Leader,
                Reachable = node.Reachable,
                CoordinatorsKnown = node.Groups is not null,
            };
            described.Roles.AddRange(node.Roles);
            described.CoordinatedGroups.AddRange((node.Groups ?? [])
                .Where(group => CallerScopes.MayRead(context, group.Topic, group.GroupName))
                .Select(group => new CoordinatedGroup { Topic = group.Topic, Group = group.GroupName }));
            reply.Nodes.Add(described);
        }

        return reply;
    }

    public override async Task<DescribeTopicReply> DescribeTopic(DescribeTopicRequest request, ServerCallContext context)
    {
        var topic = RequestMapping.DescribeTopic(request);
        var offsets = await ExistingTopicAsync(topic, context.CancellationToken);
        var reply = new DescribeTopicReply { Topic = topic };
        reply.Partitions.AddRange(offsets.Partitions.Select(offsets.Describe));
        return reply;
    }

    public override async Task<ListGroupsReply> ListGroups(ListGroupsRequest request, ServerCallContext context)
    {
        var topic = RequestMapping.ListGroups(request);
        var offsets = new Dictionary<string, TopicOffsets>(StringComparer.Ordinal);
        if (topic is not null)
        {
            offsets[topic] = await ExistingTopicAsync(topic, context.CancellationToken);
        }

        var groups = (await positions.ListGroupsAsync(topic, context.CancellationToken))
            .Where(group => CallerScopes.MayRead(context, group.Topic, group.GroupName))
            .ToList();
        // A group's topic the records storage no longer has answers no offsets: its lag is 0, its members unknown.
        foreach (var name in groups.Select(group => group.Topic).Distinct().Where(name => !offsets.ContainsKey(name)))
        {
            offsets[name] = await TopicOffsets.ReadAsync(records, name, context.CancellationToken);
        }

        var summaries = new GroupSummary[groups.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, groups.Count),
            new ParallelOptions { MaxDegreeOfParallelism = ConcurrentGroupQuestions, CancellationToken = context.CancellationToken },
            async (index, cancellationToken) =>
            {
                var group = groups[index];
                var topicOffsets = offsets[group.Topic];
                var sessions = await SessionsAsync(group.Topic, group.GroupName, topicOffsets, cancellationToken);
                summaries[index] = Summary(group, topicOffsets, sessions);
            });
        var reply = new ListGroupsReply();
        reply.Groups.AddRange(summaries);
        return reply;
    }

    public override Task<DescribeGroupReply> DescribeGroup(DescribeGroupRequest request, ServerCallContext context)
    {
        var (topic, group) = RequestMapping.DescribeGroup(request);
        return DescribeAsync(topic, group, context.CancellationToken);
    }

    /// <summary>
    /// DescribeGroup's answer at each interval, sent when it changed or a heartbeat is due. A snapshot that fails (the
    /// group deleted, a storage down) ends the call with that status: the watcher sees why, and may watch again.
    /// </summary>
    public override async Task WatchGroup(WatchGroupRequest request, IServerStreamWriter<DescribeGroupReply> responseStream, ServerCallContext context)
    {
        var (topic, group, interval) = RequestMapping.WatchGroup(request);
        var cancellationToken = context.CancellationToken;
        DescribeGroupReply? sent = null;
        var sentAt = clock.GetTimestamp();
        while (true)
        {
            var snapshot = await DescribeAsync(topic, group, cancellationToken);
            if (sent is null || !snapshot.Equals(sent) || clock.GetElapsedTime(sentAt) >= WatchHeartbeat)
            {
                await responseStream.WriteAsync(snapshot, cancellationToken);
                sent = snapshot;
                sentAt = clock.GetTimestamp();
            }

            var untilHeartbeat = WatchHeartbeat - clock.GetElapsedTime(sentAt);
            await Task.Delay(untilHeartbeat < interval ? untilHeartbeat : interval, clock, cancellationToken);
        }
    }

    /// <summary>
    /// Resolves where each partition starts and, without follow, ends (the end offsets read when the call starts),
    /// then streams what <see cref="TopicBrowser"/> reads.
    /// </summary>
    public override async Task Browse(BrowseRequest request, IServerStreamWriter<BrowsedRecord> responseStream, ServerCallContext context)
    {
        var query = RequestMapping.Browse(request);
        var cancellationToken = context.CancellationToken;
        var offsets = await ExistingTopicAsync(query.Topic, cancellationToken);
        var partitions = RequestMapping.BrowsedPartitions(query, offsets.PartitionSet);
        var byTime = query.From is BrowseFrom.Time time
            ? await records.GetOffsetsForTimestampAsync(query.Topic, time.Value, cancellationToken)
            : null;
        var reads = partitions.Select(partition =>
        {
            var (earliest, end) = (offsets.EarliestOf(partition), offsets.EndOf(partition));
            var from = query.From switch
            {
                BrowseFrom.EarliestRecord => earliest,
                BrowseFrom.Offset at => at.Value,
                BrowseFrom.Time => byTime!.TryGetValue(partition, out var found) ? found : end,
                _ => end,
            };
            return new BrowsedPartition(partition, Math.Clamp(from, earliest, end), query.Follow ? null : end);
        }).ToList();
        if (query.Follow)
        {
            // A follower learns that the tail has begun (its "latest" is fixed) before any record comes: the web
            // console says "following" only then, so nothing published after that is missed.
            await context.WriteResponseHeadersAsync(new Metadata());
        }

        await foreach (var record in browser.BrowseAsync(query.Topic, reads, query.Filter, query.Limit, cancellationToken))
        {
            await responseStream.WriteAsync(Browsed(record), cancellationToken);
        }
    }

    /// <summary>Cold storage per partition of one archived topic, or of every archived topic the caller may read.</summary>
    public override async Task<ColdStatusReply> ColdStatus(ColdStatusRequest request, ServerCallContext context)
    {
        var topic = request.Topic.Length == 0 ? null : RequestMapping.DescribeTopic(new DescribeTopicRequest { Topic = request.Topic });
        coldStatus.CheckArchived(topic);
        var cancellationToken = context.CancellationToken;
        var topics = topic is not null
            ? [topic]
            : (await records.ListTopicsAsync(cancellationToken)).Where(name => coldStatus.Archives(name) && CallerScopes.MayRead(context, name)).ToList();
        var reply = new ColdStatusReply();
        foreach (var name in topics)
        {
            var offsets = await ExistingTopicAsync(name, cancellationToken);
            foreach (var partition in offsets.Partitions)
            {
                reply.Partitions.Add(await coldStatus.ReadAsync(name, partition, cancellationToken));
            }
        }

        return reply;
    }

    /// <exception cref="RpcException">NOT_FOUND: an unknown topic, or a version with neither positions nor live members</exception>
    private async Task<DescribeGroupReply> DescribeAsync(string topic, GroupId group, CancellationToken cancellationToken)
    {
        var offsets = await ExistingTopicAsync(topic, cancellationToken);
        var acked = await positions.GetAsync(topic, group, cancellationToken);
        var state = await membership.StateAsync(topic, group.Name, CoordinatorAnswer, cancellationToken);
        var sessions = state?.Sessions;
        var lastAckTimes = (state?.LastAcks ?? [])
            .Where(ack => ack.GroupVersion == group.Version)
            .ToDictionary(ack => ack.Partition, ack => ack.At);
        var ownSessions = sessions?.Where(session => session.GroupVersion == group.Version).ToList();
        if (acked.Count == 0 && (ownSessions is null || ownSessions.Count == 0))
        {
            throw new RpcException(new Status(
                StatusCode.NotFound,
                $"group '{group.Name}' version {group.Version} of topic '{topic}' has no stored positions and no live members"));
        }

        var owners = new Dictionary<int, LiveSession>();
        foreach (var session in ownSessions ?? [])
        {
            foreach (var partition in session.Partitions)
            {
                owners[partition] = session;
            }
        }

        var reply = new DescribeGroupReply { Topic = topic, Group = group.Name, GroupVersion = group.Version };
        reply.Partitions.AddRange(offsets.OfGroup(acked, owners, lastAckTimes));
        if (ownSessions is not null)
        {
            reply.LiveMembers = (uint)ownSessions.Count;
        }

        return reply;
    }

    /// <summary>
    /// Plans each partition's move and, with execute, makes it through the group's coordinator, which fences off the
    /// acks made before (see <see cref="GroupCoordinator"/>); a dry run reads the positions and changes nothing.
    /// </summary>
    public override async Task<ResetPositionsReply> ResetPositions(ResetPositionsRequest request, ServerCallContext context)
    {
        var (topic, group, listed) = RequestMapping.ResetPositions(request);
        var offsets = await ExistingTopicAsync(topic, context.CancellationToken);
        for (var i = 0; i < listed.Count; i++)
        {
            if (!offsets.Has(listed[i]))
            {
                throw new RpcException(new Status(
                    StatusCode.InvalidArgument,
                    $"partitions[{i}]: topic '{topic}' has no partition {listed[i]} (it has {offsets.PartitionCount})"));
            }
        }

        var partitions = listed.Count > 0 ? listed : [.. offsets.Partitions];
        var byTimestamp = await TimestampTargetsAsync(request, topic, context.CancellationToken);
        var targets = partitions
            .Select(partition => new PartitionTarget(
                partition,
                request.TargetCase switch
                {
                    ResetPositionsRequest.TargetOneofCase.ToEarliest => offsets.EarliestOf(partition),
                    ResetPositionsRequest.TargetOneofCase.ToLatest => offsets.EndOf(partition),
                    ResetPositionsRequest.TargetOneofCase.ToOffset => (long)request.ToOffset,
                    ResetPositionsRequest.TargetOneofCase.ShiftBy => null,
                    // The first record at or after the time; the end where there is none.
                    _ => byTimestamp!.TryGetValue(partition, out var found) ? found : offsets.EndOf(partition),
                },
                request.TargetCase == ResetPositionsRequest.TargetOneofCase.ShiftBy ? request.ShiftBy : 0,
                offsets.EarliestOf(partition),
                offsets.EndOf(partition)))
            .ToList();

        IReadOnlyList<PartitionMove> moves;
        if (request.Execute)
        {
            moves = await groupPositions.ResetAsync(topic, group, targets, CallerSubject.Of(context), context.CancellationToken);
        }
        else
        {
            var stored = await positions.GetAsync(topic, group, context.CancellationToken);
            moves = [.. targets.Select(target => PartitionMove.Plan(target, stored.TryGetValue(target.Partition, out var acked) ? acked : null))];
        }

        var reply = new ResetPositionsReply { Topic = topic, Group = group.Name, GroupVersion = group.Version, Executed = request.Execute };
        foreach (var move in moves.OrderBy(m => m.Partition))
        {
            var reset = new PartitionReset { Partition = (uint)move.Partition, NewPosition = (ulong)move.Next, Clamped = move.Clamped };
            if (move.PreviousNext is { } previous)
            {
                reset.PreviousPosition = (ulong)Math.Max(0, previous);
            }

            reply.Partitions.Add(reset);
        }

        return reply;
    }

    public override async Task<DeleteGroupReply> DeleteGroup(DeleteGroupRequest request, ServerCallContext context)
    {
        var (topic, groupName, version) = RequestMapping.DeleteGroup(request);
        await ExistingTopicAsync(topic, context.CancellationToken);
        var (deleted, refused) = await groupPositions.DeleteAsync(topic, groupName, version, context.CancellationToken);
        if (refused is not null)
        {
            throw new RpcException(new Status(
                refused.Reason == GroupDeletionRefusal.NoPositions ? StatusCode.NotFound : StatusCode.FailedPrecondition,
                refused.Detail));
        }

        var reply = new DeleteGroupReply();
        reply.DeletedVersions.AddRange(deleted);
        return reply;
    }

    /// <summary>Partition → the first offset at or after the request's time, for to_timestamp and by_duration; null otherwise.</summary>
    private async Task<IReadOnlyDictionary<int, long>?> TimestampTargetsAsync(ResetPositionsRequest request, string topic, CancellationToken cancellationToken)
    {
        DateTimeOffset at;
        switch (request.TargetCase)
        {
            case ResetPositionsRequest.TargetOneofCase.ToTimestamp:
                at = request.ToTimestamp.ToDateTimeOffset();
                break;
            case ResetPositionsRequest.TargetOneofCase.ByDuration:
                at = clock.GetUtcNow() - request.ByDuration.ToTimeSpan();
                break;
            default:
                return null;
        }

        return await records.GetOffsetsForTimestampAsync(topic, at, cancellationToken);
    }

    /// <exception cref="RpcException">NOT_FOUND: the records storage does not know the topic</exception>
    private async Task<TopicOffsets> ExistingTopicAsync(string topic, CancellationToken cancellationToken)
    {
        var offsets = await TopicOffsets.ReadAsync(records, topic, cancellationToken);
        return offsets.Exists ? offsets : throw new RpcException(new Status(StatusCode.NotFound, $"topic '{topic}' does not exist"));
    }

    // Only about a topic that exists: the question starts a coordinator that is not running, which learns its topic's
    // partitions, and a storage that creates topics on first use would create it again.
    private Task<IReadOnlyList<LiveSession>?> SessionsAsync(string topic, string groupName, TopicOffsets offsets, CancellationToken cancellationToken) =>
        offsets.Exists
            ? membership.SessionsAsync(topic, groupName, CoordinatorAnswer, cancellationToken)
            : Task.FromResult<IReadOnlyList<LiveSession>?>(null);

    private static GroupSummary Summary(StoredGroup group, TopicOffsets offsets, IReadOnlyList<LiveSession>? sessions)
    {
        var summary = new GroupSummary { Topic = group.Topic, Group = group.GroupName };
        var versions = group.Versions.Keys.Union(sessions?.Select(session => session.GroupVersion) ?? []).Order();
        foreach (var version in versions)
        {
            var acked = group.Versions.GetValueOrDefault(version) ?? new Dictionary<int, long>();
            var described = new GroupVersionSummary
            {
                GroupVersion = version,
                Latest = version == group.LatestVersion,
                Lag = (ulong)offsets.OfGroup(acked, new Dictionary<int, LiveSession>()).Sum(partition => (long)partition.Lag),
            };
            if (sessions is not null)
            {
                described.LiveMembers = (uint)sessions.Count(session => session.GroupVersion == version);
            }

            summary.Versions.Add(described);
        }

        return summary;
    }

    private static BrowsedRecord Browsed(StoredRecord record)
    {
        var browsed = new BrowsedRecord
        {
            Partition = (uint)record.Partition,
            Offset = (ulong)record.Offset,
            Timestamp = Timestamp.FromDateTimeOffset(record.Timestamp),
            Value = ByteString.CopyFrom(record.Value),
        };
        if (record.Key is { } key)
        {
            browsed.Key = ByteString.CopyFrom(key);
        }

        foreach (var header in record.Headers)
        {
            browsed.Headers.Add(new BrowsedHeader { Name = header.Name, Value = ByteString.CopyFrom(header.Value) });
        }

        return browsed;
    }
}
