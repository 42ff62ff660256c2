using System.Runtime.CompilerServices;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Wire = Liiklus.Protocol.Admin;

namespace Liiklus.Client;

/// <summary>
/// The gateway's admin API (<c>liiklus.admin.v1.LiiklusAdminService</c>, Liiklus for .NET only): topics, groups
/// and their positions, position resets and group deletion, and reading a topic without a group. Offsets given and
/// shown are "the next record delivered", as in Kafka's tools. Failed calls throw <see cref="RpcException"/>
/// (with scopes required, a reset or delete without the topic's <c>liiklus:admin:</c> scope is PERMISSION_DENIED).
/// Thread-safe; it shares the client's channel, token and TLS settings.
/// </summary>
public sealed class LiiklusAdminClient
{
    private readonly LiiklusClient _client;
    private readonly Wire.LiiklusAdminService.LiiklusAdminServiceClient _service;

    /// <summary>An admin client on <paramref name="client"/>'s channel.</summary>
    public LiiklusAdminClient(LiiklusClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _service = new Wire.LiiklusAdminService.LiiklusAdminServiceClient(client.Channel);
    }

    /// <summary>The topics the records storage holds (with scopes required, those the token may consume), by name.</summary>
    public async Task<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken = default)
    {
        var reply = await _service.ListTopicsAsync(new Wire.ListTopicsRequest(), deadline: _client.Deadline(), cancellationToken: cancellationToken)
            .ResponseAsync.ConfigureAwait(false);
        return [.. reply.Topics];
    }

    /// <summary>A topic's partitions with their earliest retained and end offsets; an unknown topic is NOT_FOUND.</summary>
    public async Task<TopicDescription> DescribeTopicAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var reply = await _service.DescribeTopicAsync(new Wire.DescribeTopicRequest { Topic = topic }, deadline: _client.Deadline(), cancellationToken: cancellationToken)
            .ResponseAsync.ConfigureAwait(false);
        return new TopicDescription(reply.Topic, [.. reply.Partitions.Select(p => new TopicPartitionOffsets((int)p.Partition, p.EarliestOffset, p.EndOffset))]);
    }

    /// <summary>
    /// Cold storage of <paramref name="topic"/>'s partitions, or of every archived topic when null; with cold storage
    /// off FAILED_PRECONDITION, for a topic not archived INVALID_ARGUMENT.
    /// </summary>
    public async Task<IReadOnlyList<ColdPartitionStatus>> ColdStatusAsync(string? topic = null, CancellationToken cancellationToken = default)
    {
        var reply = await _service.ColdStatusAsync(new Wire.ColdStatusRequest { Topic = topic ?? "" }, deadline: _client.Deadline(), cancellationToken: cancellationToken)
            .ResponseAsync.ConfigureAwait(false);
        return
        [
            .. reply.Partitions.Select(p => new ColdPartitionStatus(
                p.Topic,
                (int)p.Partition,
                p.Archived,
                p.ColdFirstOffset,
                p.ArchivedOffset,
                p.EarliestOffset,
                p.EndOffset,
                p.Lag,
                p.Headroom,
                [.. p.Gaps.Select(g => (g.FromOffset, g.ToOffset))])),
        ];
    }

    /// <summary>The groups with stored positions, of <paramref name="topic"/> or of every topic when null, by topic and name.</summary>
    public async Task<IReadOnlyList<GroupSummary>> ListGroupsAsync(string? topic = null, CancellationToken cancellationToken = default)
    {
        var reply = await _service.ListGroupsAsync(new Wire.ListGroupsRequest { Topic = topic ?? "" }, deadline: _client.Deadline(), cancellationToken: cancellationToken)
            .ResponseAsync.ConfigureAwait(false);
        return
        [
            .. reply.Groups.Select(g => new GroupSummary(
                g.Topic,
                g.Group,
                [.. g.Versions.Select(v => new GroupVersionSummary(v.GroupVersion, v.Latest, v.Lag, v.HasLiveMembers ? (int)v.LiveMembers : null))])),
        ];
    }

    /// <summary>
    /// One group version's position, end offset, lag and owner per partition. A version with neither positions nor
    /// live members is NOT_FOUND.
    /// </summary>
    public async Task<GroupDescription> DescribeGroupAsync(ConsumerGroup group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        var reply = await _service.DescribeGroupAsync(
            new Wire.DescribeGroupRequest { Topic = group.Topic, Group = group.Name, GroupVersion = group.Version },
            deadline: _client.Deadline(),
            cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
        return Description(reply);
    }

    /// <summary>
    /// <see cref="DescribeGroupAsync"/>'s answer now and then every <paramref name="interval"/> (the gateway's 2 s
    /// when null) until cancelled; a snapshot comes only when it changed, and at least once a minute.
    /// </summary>
    public async IAsyncEnumerable<GroupDescription> WatchGroupAsync(
        ConsumerGroup group,
        TimeSpan? interval = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        var request = new Wire.WatchGroupRequest { Topic = group.Topic, Group = group.Name, GroupVersion = group.Version };
        if (interval is { } every)
        {
            request.Interval = Duration.FromTimeSpan(every);
        }

        using var call = _service.WatchGroup(request, cancellationToken: cancellationToken);
        await foreach (var reply in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return Description(reply);
        }
    }

    /// <summary>
    /// Moves the group version's positions on <paramref name="partitions"/> (every partition when null or empty) to
    /// <paramref name="target"/>. A dry run unless <paramref name="execute"/>: the answer says what would change and
    /// nothing does. Executed while consumers run, the partitions are revoked and assigned again, and acks made
    /// before the reset no longer move a position.
    /// </summary>
    public async Task<PositionsReset> ResetPositionsAsync(
        ConsumerGroup group,
        ResetTarget target,
        IReadOnlyCollection<int>? partitions = null,
        bool execute = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(target);
        var request = new Wire.ResetPositionsRequest { Topic = group.Topic, Group = group.Name, GroupVersion = group.Version, Execute = execute };
        request.Partitions.AddRange(Partitions(partitions));
        target.ApplyTo(request);
        var reply = await _service.ResetPositionsAsync(request, deadline: _client.Deadline(), cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
        return new PositionsReset(
            new ConsumerGroup(reply.Topic, reply.Group, reply.GroupVersion),
            reply.Executed,
            [.. reply.Partitions.Select(p => new PartitionReset((int)p.Partition, p.HasPreviousPosition ? p.PreviousPosition : null, p.NewPosition, p.Clamped))]);
    }

    /// <summary>
    /// Deletes the stored positions of one version of a group, or of every version of its name when
    /// <paramref name="version"/> is null; answers the versions deleted, lowest first. A version with live members
    /// is FAILED_PRECONDITION, one without positions NOT_FOUND.
    /// </summary>
    public async Task<IReadOnlyList<uint>> DeleteGroupAsync(string topic, string group, uint? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentException.ThrowIfNullOrEmpty(group);
        var request = new Wire.DeleteGroupRequest { Topic = topic, Group = group };
        if (version is { } v)
        {
            request.GroupVersion = v;
        }

        var reply = await _service.DeleteGroupAsync(request, deadline: _client.Deadline(), cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
        return [.. reply.DeletedVersions];
    }

    /// <summary>
    /// Reads <paramref name="topic"/>'s records without a group: nothing is acknowledged, no position moves. Ends
    /// after the limit or at the end offsets seen when the call started, or with <see cref="BrowseOptions.Follow"/>
    /// keeps reading until the limit or cancellation.
    /// </summary>
    public async IAsyncEnumerable<BrowsedRecord> BrowseAsync(
        string topic,
        BrowseOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        options ??= new BrowseOptions();
        var request = new Wire.BrowseRequest
        {
            Topic = topic,
            KeyContains = ByteString.CopyFrom(options.KeyContains.Span),
            ValueContains = ByteString.CopyFrom(options.ValueContains.Span),
            Limit = options.Limit,
            Follow = options.Follow,
        };
        request.Partitions.AddRange(Partitions(options.Partitions));
        (options.From ?? BrowseStart.Earliest).ApplyTo(request);
        using var call = _service.Browse(request, cancellationToken: cancellationToken);
        await foreach (var reply in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new BrowsedRecord
            {
                Topic = topic,
                Partition = (int)reply.Partition,
                Offset = reply.Offset,
                Timestamp = reply.Timestamp?.ToDateTimeOffset() ?? default,
                Key = reply.HasKey ? reply.Key.Memory : null,
                Value = reply.Value.Memory,
                Headers = [.. reply.Headers.Select(h => new RecordHeader(h.Name, h.Value.Memory))],
            };
        }
    }

    private static IEnumerable<uint> Partitions(IReadOnlyCollection<int>? partitions) =>
        (partitions ?? []).Select(p => p >= 0 ? (uint)p : throw new ArgumentOutOfRangeException(nameof(partitions), p, "a partition is not negative"));

    private static GroupDescription Description(Wire.DescribeGroupReply reply) => new(
        new ConsumerGroup(reply.Topic, reply.Group, reply.GroupVersion),
        [
            .. reply.Partitions.Select(p => new GroupPartitionState(
                (int)p.Partition,
                p.HasPosition ? p.Position : null,
                p.EndOffset,
                p.Lag,
                p.HasOwnerSessionId ? p.OwnerSessionId : null,
                p.HasOwnerNode ? p.OwnerNode : null,
                p.HasOwnerClientAddress ? p.OwnerClientAddress : null,
                p.LastAckTime?.ToDateTimeOffset())),
        ],
        reply.HasLiveMembers ? (int)reply.LiveMembers : null);
}
