using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Liiklus.Protocol;
using Liiklus.Protocol.Admin;
using Liiklus.Storage.Records;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Api.Admin;

/// <summary>
/// The admin API's reads through Kestrel, the same on every pair of storages: offsets as "the next record delivered"
/// (a partition's end is the offset its next record gets, a group's position the stored last ack + 1).
/// </summary>
public abstract class AdminApiContract
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    protected abstract Task<TestGateway> StartGatewayAsync();

    [Fact]
    public async Task Listed_topics_are_ordered_and_include_every_topic_published_to()
    {
        await using var gateway = await StartGatewayAsync();
        var topics = new[] { NewName("topic"), NewName("topic") };
        foreach (var topic in topics)
        {
            await gateway.Client.PublishAsync(topic, "v");
        }

        var listed = (await gateway.Admin.ListTopicsAsync(new ListTopicsRequest())).Topics;

        Assert.All(topics, topic => Assert.Contains(topic, listed));
        Assert.Equal(listed.Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task Describe_topic_answers_each_partitions_earliest_and_end_offset_as_the_next_record()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = NewName("topic");
        var partition = (await gateway.Client.PublishAsync(topic, "v0", key: "k")).Partition;
        await gateway.Client.PublishAsync(topic, "v1", key: "k");
        await gateway.Client.PublishAsync(topic, "v2", key: "k");

        var described = await gateway.Admin.DescribeTopicAsync(new DescribeTopicRequest { Topic = topic });

        var partitions = (await gateway.Client.GetEndOffsetsAsync(new GetEndOffsetsRequest { Topic = topic })).Offsets.Count;
        Assert.Equal(topic, described.Topic);
        Assert.Equal(Enumerable.Range(0, partitions).Select(p => (uint)p), described.Partitions.Select(p => p.Partition));
        Assert.All(described.Partitions, p =>
        {
            Assert.Equal(0ul, p.EarliestOffset);
            Assert.Equal(p.Partition == partition ? 3ul : 0ul, p.EndOffset);
        });
    }

    [Fact]
    public async Task Unknown_topic_is_not_found_and_a_bad_name_invalid_naming_the_field()
    {
        await using var gateway = await StartGatewayAsync();
        var unknown = NewName("unknown");

        var describeTopic = await SecureClients.StatusOf(() => gateway.Admin.DescribeTopicAsync(new DescribeTopicRequest { Topic = unknown }).ResponseAsync);
        var listGroups = await SecureClients.StatusOf(() => gateway.Admin.ListGroupsAsync(new ListGroupsRequest { Topic = unknown }).ResponseAsync);
        var describeGroup = await SecureClients.StatusOf(() =>
            gateway.Admin.DescribeGroupAsync(new DescribeGroupRequest { Topic = unknown, Group = "g" }).ResponseAsync);
        var badName = await SecureClients.StatusOf(() => gateway.Admin.DescribeTopicAsync(new DescribeTopicRequest { Topic = "no/slashes" }).ResponseAsync);
        var noGroup = await SecureClients.StatusOf(() => gateway.Admin.DescribeGroupAsync(new DescribeGroupRequest { Topic = unknown }).ResponseAsync);

        Assert.All([describeTopic, listGroups, describeGroup], status =>
        {
            Assert.Equal(StatusCode.NotFound, status.StatusCode);
            Assert.Equal($"topic '{unknown}' does not exist", status.Detail);
        });
        Assert.Equal(StatusCode.InvalidArgument, badName.StatusCode);
        Assert.StartsWith("topic: ", badName.Detail);
        Assert.Equal(StatusCode.InvalidArgument, noGroup.StatusCode);
        Assert.Equal("group: must not be empty", noGroup.Detail);
        Assert.DoesNotContain(unknown, (await gateway.Admin.ListTopicsAsync(new ListTopicsRequest())).Topics);
    }

    [Fact]
    public async Task Describe_group_answers_position_end_offset_lag_and_the_owning_session_per_partition()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = NewName("topic");
        var group = NewName("group");
        var partition = await PublishToOnePartitionAsync(gateway, topic, 5);

        using var subscription = gateway.Client.Subscribe(topic, group);
        var assignment = await AssignmentFor(subscription, partition);
        await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = 1 });

        var described = await gateway.Admin.DescribeGroupAsync(new DescribeGroupRequest { Topic = topic, Group = group });

        Assert.Equal((topic, group, 0u), (described.Topic, described.Group, described.GroupVersion));
        Assert.Equal(1u, described.LiveMembers);
        var acked = described.Partitions.Single(p => p.Partition == partition);
        Assert.True(acked.HasPosition);
        Assert.Equal((2ul, 5ul, 3ul), (acked.Position, acked.EndOffset, acked.Lag));
        // One subscription holds every partition.
        Assert.All(described.Partitions, p => Assert.Equal((assignment.SessionId, gateway.ClusterAddress), (p.OwnerSessionId, p.OwnerNode)));
        // The test's client, as the gateway saw it.
        Assert.All(described.Partitions, p => Assert.Matches(@"^ipv4:127\.0\.0\.1:\d+$", p.OwnerClientAddress));
        Assert.All(described.Partitions.Where(p => p.Partition != partition), p =>
        {
            Assert.False(p.HasPosition);
            Assert.Equal((0ul, 0ul), (p.EndOffset, p.Lag));
        });
    }

    [Fact]
    public async Task Describe_group_of_a_version_without_positions_or_members_is_not_found()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = NewName("topic");
        var group = NewName("group");
        var partition = (await gateway.Client.PublishAsync(topic, "v0", key: "k")).Partition;
        await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = 0 });

        var otherVersion = await SecureClients.StatusOf(() =>
            gateway.Admin.DescribeGroupAsync(new DescribeGroupRequest { Topic = topic, Group = group, GroupVersion = 3 }).ResponseAsync);
        var stored = await gateway.Admin.DescribeGroupAsync(new DescribeGroupRequest { Topic = topic, Group = group });

        Assert.Equal(StatusCode.NotFound, otherVersion.StatusCode);
        Assert.Equal($"group '{group}' version 3 of topic '{topic}' has no stored positions and no live members", otherVersion.Detail);
        // Nobody subscribed: the coordinator answers, with no member and no owner.
        Assert.Equal(0u, stored.LiveMembers);
        Assert.All(stored.Partitions, p => Assert.False(p.HasOwnerSessionId || p.HasOwnerNode || p.HasOwnerClientAddress));
        Assert.Equal(1ul, stored.Partitions.Single(p => p.Partition == partition).Position);
    }

    [Fact]
    public async Task List_groups_answers_each_versions_lag_and_live_members_of_one_topic_or_all()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = NewName("topic");
        var group = NewName("group");
        var partition = await PublishToOnePartitionAsync(gateway, topic, 5);

        await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = 0 });
        await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, GroupVersion = 2, Partition = partition, Offset = 4 });
        using var subscription = gateway.Client.Subscribe(topic, group, version: 2);
        await subscription.NextAsync();

        // Storages that scan for their groups answer listings up to a few seconds old.
        var ofTopic = await Eventually.Until(
            () => gateway.Admin.ListGroupsAsync(new ListGroupsRequest { Topic = topic }).ResponseAsync,
            reply => reply.Groups.Sum(g => g.Versions.Count) == 2,
            "both versions in the listing of the topic");
        var all = await Eventually.Until(
            () => gateway.Admin.ListGroupsAsync(new ListGroupsRequest()).ResponseAsync,
            reply => reply.Groups.Any(g => g.Topic == topic && g.Versions.Count == 2),
            "both versions in the listing of every topic");

        var listed = Assert.Single(ofTopic.Groups);
        Assert.Equal((topic, group), (listed.Topic, listed.Group));
        Assert.Equal(
            [(0u, false, 4ul, 0u), (2u, true, 0ul, 1u)],
            listed.Versions.Select(v => (v.GroupVersion, v.Latest, v.Lag, v.LiveMembers)));
        Assert.Equal(listed, all.Groups.Single(g => g.Topic == topic));
        Assert.Equal(all.Groups.OrderBy(g => g.Topic, StringComparer.Ordinal).ThenBy(g => g.Group, StringComparer.Ordinal), all.Groups);
    }

    [Fact]
    public async Task Browse_from_earliest_reads_every_partition_in_offset_order_and_ends_at_the_end_offsets_it_started_with()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = NewName("topic");
        var published = new List<PublishReply>();
        for (var i = 0; i < 12; i++)
        {
            published.Add(await gateway.Client.PublishAsync(topic, $"v{i}", key: $"key-{i % 4}"));
        }

        using var deadline = new CancellationTokenSource(Deadline);
        using var call = gateway.Admin.Browse(new BrowseRequest { Topic = topic, FromEarliest = true, Limit = 1000 }, cancellationToken: deadline.Token);
        Assert.True(await call.ResponseStream.MoveNext(deadline.Token));
        var read = new List<BrowsedRecord> { call.ResponseStream.Current };
        // Published once the call has started: past the end offsets it reads to.
        await gateway.Client.PublishAsync(topic, "late", key: "key-0");
        while (await call.ResponseStream.MoveNext(deadline.Token))
        {
            read.Add(call.ResponseStream.Current);
        }

        Assert.Equal(
            published.Select(p => (p.Partition, p.Offset)).Order(),
            read.Select(r => (r.Partition, r.Offset)).Order());
        Assert.All(read.GroupBy(r => r.Partition), partition => Assert.Equal(partition.Select(r => r.Offset).Order(), partition.Select(r => r.Offset)));
        Assert.All(read, r => Assert.Equal($"key-{int.Parse(r.Value.ToStringUtf8()[1..]) % 4}", r.Key.ToStringUtf8()));
    }

    [Fact]
    public async Task Browse_from_an_offset_is_clamped_to_what_the_partition_holds_and_from_latest_without_follow_is_empty()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = NewName("topic");
        var partition = await PublishToOnePartitionAsync(gateway, topic, 5);

        var fromTwo = await BrowseToEndAsync(gateway, new BrowseRequest { Topic = topic, Partitions = { partition }, FromOffset = 2 });
        var pastTheEnd = await BrowseToEndAsync(gateway, new BrowseRequest { Topic = topic, Partitions = { partition }, FromOffset = 1000 });
        var latest = await BrowseToEndAsync(gateway, new BrowseRequest { Topic = topic, FromLatest = true });

        Assert.Equal([2ul, 3ul, 4ul], fromTwo.Select(r => r.Offset));
        Assert.Equal(["v2", "v3", "v4"], fromTwo.Select(r => r.Value.ToStringUtf8()));
        Assert.Empty(pastTheEnd);
        Assert.Empty(latest);
    }

    // Virtual: a records storage whose test double cannot look records up by time skips it by an override that says why.
    [Fact]
    public virtual async Task Browse_from_a_timestamp_starts_at_the_first_record_at_or_after_it()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = NewName("topic");
        var storage = gateway.Services.GetRequiredService<IRecordsStorage>();
        var now = DateTimeOffset.UtcNow;
        var published = new List<PublishResult>();
        foreach (var hoursAgo in new[] { 3, 2, 1, 0 })
        {
            var record = new OutgoingRecord(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes($"{hoursAgo}h ago"), [], now.AddHours(-hoursAgo));
            published.Add(await storage.PublishAsync(topic, record, CancellationToken.None));
        }

        var read = await BrowseToEndAsync(gateway, new BrowseRequest { Topic = topic, FromTimestamp = Timestamp.FromDateTimeOffset(now.AddMinutes(-90)) });

        Assert.Equal(["1h ago", "0h ago"], read.Select(r => r.Value.ToStringUtf8()));
        Assert.Equal(published.Skip(2).Select(p => (ulong)p.Offset), read.Select(r => r.Offset));
        Assert.Equal(Timestamp.FromDateTimeOffset(now.AddHours(-1)).Seconds, read[0].Timestamp.Seconds);
    }

    [Fact]
    public async Task Browse_reads_only_the_partitions_asked_for_and_an_unknown_partition_is_invalid_naming_the_field()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = NewName("topic");
        var published = new List<PublishReply>();
        for (var i = 0; i < 16; i++)
        {
            published.Add(await gateway.Client.PublishAsync(topic, $"v{i}", key: $"key-{i}"));
        }

        var chosen = published[0].Partition;
        var read = await BrowseToEndAsync(gateway, new BrowseRequest { Topic = topic, Partitions = { chosen } });
        var unknown = await SecureClients.StatusOf(() => BrowseToEndAsync(gateway, new BrowseRequest { Topic = topic, Partitions = { 0, 999 } }));

        Assert.Equal(published.Where(p => p.Partition == chosen).Select(p => p.Offset), read.Select(r => r.Offset));
        Assert.All(read, r => Assert.Equal(chosen, r.Partition));
        Assert.True(published.Any(p => p.Partition != chosen), "every record landed on one partition: the filter was not tried");
        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);
        Assert.StartsWith("partitions: ", unknown.Detail);
        Assert.Contains("999", unknown.Detail);
    }

    [Fact]
    public async Task Browse_keeps_only_records_whose_key_and_value_contain_the_filters()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = NewName("topic");
        foreach (var (key, value) in new[] { ("user-1", "created"), ("user-2", "deleted"), ("admin-1", "created"), ("user-3", "created") })
        {
            await gateway.Client.PublishAsync(topic, value, key: key);
        }

        await gateway.Client.PublishAsync(topic, "created");

        var byKey = await BrowseToEndAsync(gateway, new BrowseRequest { Topic = topic, KeyContains = ByteString.CopyFromUtf8("user") });
        var byBoth = await BrowseToEndAsync(gateway, new BrowseRequest
        {
            Topic = topic,
            KeyContains = ByteString.CopyFromUtf8("user"),
            ValueContains = ByteString.CopyFromUtf8("creat"),
        });
        var byValue = await BrowseToEndAsync(gateway, new BrowseRequest { Topic = topic, ValueContains = ByteString.CopyFromUtf8("created") });

        Assert.Equal(["user-1", "user-2", "user-3"], byKey.Select(r => r.Key.ToStringUtf8()).Order());
        Assert.Equal(["user-1", "user-3"], byBoth.Select(r => r.Key.ToStringUtf8()).Order());
        // The record without a key matches a value filter, never a key filter.
        Assert.Equal(4, byValue.Count);
        Assert.Single(byValue, r => !r.HasKey);
    }

    [Fact]
    public async Task Browse_sends_at_most_the_limit_and_100_when_none_is_given()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = NewName("topic");
        for (var i = 0; i < 105; i++)
        {
            await gateway.Client.PublishAsync(topic, $"v{i}", key: "k");
        }

        var limited = await BrowseToEndAsync(gateway, new BrowseRequest { Topic = topic, Limit = 3 });
        var defaulted = await BrowseToEndAsync(gateway, new BrowseRequest { Topic = topic });

        Assert.Equal([0ul, 1ul, 2ul], limited.Select(r => r.Offset));
        Assert.Equal(100, defaulted.Count);
        Assert.Equal(Enumerable.Range(0, 100).Select(o => (ulong)o), defaulted.Select(r => r.Offset));
    }

    [Fact]
    public async Task Browse_with_follow_sends_records_published_after_it_started_until_cancelled()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = NewName("topic");
        await gateway.Client.PublishAsync(topic, "before", key: "k");

        using var following = new CancellationTokenSource(Deadline);
        using var call = gateway.Admin.Browse(new BrowseRequest { Topic = topic, Follow = true }, cancellationToken: following.Token);
        Assert.True(await call.ResponseStream.MoveNext(following.Token));
        var before = call.ResponseStream.Current;
        var after = await gateway.Client.PublishAsync(topic, "after", key: "k");
        Assert.True(await call.ResponseStream.MoveNext(following.Token));
        var tailed = call.ResponseStream.Current;
        following.Cancel();
        var ended = await SecureClients.StatusOf(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal("before", before.Value.ToStringUtf8());
        Assert.Equal(("after", after.Partition, after.Offset), (tailed.Value.ToStringUtf8(), tailed.Partition, tailed.Offset));
        Assert.Equal(StatusCode.Cancelled, ended.StatusCode);
    }

    [Fact]
    public async Task Browse_answers_headers_in_order_with_repeated_names_and_a_record_without_key_has_no_key()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = NewName("topic");
        var storage = gateway.Services.GetRequiredService<IRecordsStorage>();
        RecordHeader[] headers = [new("trace", [1]), new("tenant", [2]), new("trace", [3])];
        var published = await storage.PublishAsync(topic, new OutgoingRecord(null, Encoding.UTF8.GetBytes("v"), headers, DateTimeOffset.UtcNow), CancellationToken.None);

        var read = Assert.Single(await BrowseToEndAsync(gateway, new BrowseRequest { Topic = topic }));

        Assert.Equal(((uint)published.Partition, (ulong)published.Offset), (read.Partition, read.Offset));
        Assert.False(read.HasKey);
        Assert.Equal([("trace", 1), ("tenant", 2), ("trace", 3)], read.Headers.Select(h => (h.Name, (int)h.Value.Single())));
    }

    [Fact]
    public async Task Browse_and_watch_of_an_unknown_topic_are_not_found_and_a_short_interval_is_invalid()
    {
        await using var gateway = await StartGatewayAsync();
        var unknown = NewName("unknown");

        var browse = await SecureClients.StatusOf(() => BrowseToEndAsync(gateway, new BrowseRequest { Topic = unknown }));
        var watch = await SecureClients.StatusOf(() => FirstSnapshotAsync(gateway, new WatchGroupRequest { Topic = unknown, Group = "g" }));
        var shortInterval = await SecureClients.StatusOf(() =>
            FirstSnapshotAsync(gateway, new WatchGroupRequest { Topic = unknown, Group = "g", Interval = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(499)) }));

        Assert.Equal((StatusCode.NotFound, $"topic '{unknown}' does not exist"), (browse.StatusCode, browse.Detail));
        Assert.Equal((StatusCode.NotFound, $"topic '{unknown}' does not exist"), (watch.StatusCode, watch.Detail));
        Assert.Equal(StatusCode.InvalidArgument, shortInterval.StatusCode);
        Assert.StartsWith("interval: ", shortInterval.Detail);
        Assert.DoesNotContain(unknown, (await gateway.Admin.ListTopicsAsync(new ListTopicsRequest())).Topics);
    }

    [Fact]
    public async Task Watch_group_sends_a_snapshot_now_then_only_when_an_ack_changes_it_and_ends_when_cancelled()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = NewName("topic");
        var group = NewName("group");
        var partition = await PublishToOnePartitionAsync(gateway, topic, 5);

        await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = 0 });
        var interval = TimeSpan.FromMilliseconds(500);

        using var watching = new CancellationTokenSource(Deadline);
        using var call = gateway.Admin.WatchGroup(
            new WatchGroupRequest { Topic = topic, Group = group, Interval = Duration.FromTimeSpan(interval) },
            cancellationToken: watching.Token);
        Assert.True(await call.ResponseStream.MoveNext(watching.Token));
        var first = call.ResponseStream.Current;
        var next = call.ResponseStream.MoveNext(watching.Token);
        // Several intervals of an unchanged group: nothing is sent.
        var sentUnchanged = await Task.WhenAny(next, Task.Delay(interval * 4)) == next;
        var beforeAck = DateTimeOffset.UtcNow.AddMilliseconds(-1);
        await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = 3 });
        // The ack moves the position and its last ack time, which a snapshot reads one after the other: one snapshot
        // may show the new time before the new position, so the watch is followed until it shows what Describe does.
        var described = await Eventually.Until(
            async () => await gateway.Admin.DescribeGroupAsync(new DescribeGroupRequest { Topic = topic, Group = group }),
            reply => reply.Partitions.Single(p => p.Partition == partition) is { Position: 4, LastAckTime: { } acked } && acked.ToDateTimeOffset() >= beforeAck,
            "the ack of offset 3 described");
        var sent = new List<DescribeGroupReply>();
        while (await next.WaitAsync(Deadline))
        {
            sent.Add(call.ResponseStream.Current);
            if (call.ResponseStream.Current.Equals(described))
            {
                break;
            }

            next = call.ResponseStream.MoveNext(watching.Token);
        }

        watching.Cancel();
        var ended = await SecureClients.StatusOf(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.False(sentUnchanged, "a snapshot was sent although the group had not changed");
        Assert.Equal(4ul, first.Partitions.Single(p => p.Partition == partition).Lag);
        Assert.Equal((4ul, 1ul), (sent[^1].Partitions.Single(p => p.Partition == partition).Position, sent[^1].Partitions.Single(p => p.Partition == partition).Lag));
        Assert.InRange(sent.Count, 1, 2);
        Assert.Equal(StatusCode.Cancelled, ended.StatusCode);
    }

    private static async Task<List<BrowsedRecord>> BrowseToEndAsync(TestGateway gateway, BrowseRequest request)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        using var call = gateway.Admin.Browse(request, cancellationToken: deadline.Token);
        var read = new List<BrowsedRecord>();
        while (await call.ResponseStream.MoveNext(deadline.Token))
        {
            read.Add(call.ResponseStream.Current);
        }

        return read;
    }

    private static async Task<DescribeGroupReply> FirstSnapshotAsync(TestGateway gateway, WatchGroupRequest request)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        using var call = gateway.Admin.WatchGroup(request, cancellationToken: deadline.Token);
        Assert.True(await call.ResponseStream.MoveNext(deadline.Token));
        return call.ResponseStream.Current;
    }

    [Fact]
    public async Task Dry_run_reset_answers_each_partitions_move_and_changes_nothing()
    {
        await using var gateway = await StartGatewayAsync();
        var (topic, group, partition) = await TopicWithFiveRecordsAsync(gateway);
        await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = 1 });

        var planned = await gateway.Admin.ResetPositionsAsync(new ResetPositionsRequest { Topic = topic, Group = group, ToEarliest = true });

        Assert.False(planned.Executed);
        Assert.Equal((topic, group, 0u), (planned.Topic, planned.Group, planned.GroupVersion));
        var moved = planned.Partitions.Single(p => p.Partition == partition);
        Assert.True(moved.HasPreviousPosition);
        Assert.Equal((2ul, 0ul, false), (moved.PreviousPosition, moved.NewPosition, moved.Clamped));
        // Every partition of the topic, in order; those without a position have no previous one.
        Assert.Equal(planned.Partitions.Select(p => p.Partition).Order(), planned.Partitions.Select(p => p.Partition));
        Assert.All(planned.Partitions.Where(p => p.Partition != partition), p => Assert.False(p.HasPreviousPosition));
        var offsets = await gateway.Client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group });
        Assert.Equal(1ul, Assert.Single(offsets.Offsets).Value);
    }

    [Fact]
    public async Task Executed_reset_stores_each_target_as_the_last_acked_offset_before_it_clamped_to_what_the_partition_holds()
    {
        await using var gateway = await StartGatewayAsync();
        var (topic, group, partition) = await TopicWithFiveRecordsAsync(gateway);
        await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = 1 });
        var request = new ResetPositionsRequest { Topic = topic, Group = group, Partitions = { partition }, Execute = true };

        var toOffset = await ResetAsync(gateway, request, r => r.ToOffset = 3);
        var stored = await StoredAsync(gateway, topic, group, partition);
        var shifted = await ResetAsync(gateway, request, r => r.ShiftBy = -1);
        var shiftedStored = await StoredAsync(gateway, topic, group, partition);
        var pastTheEnd = await ResetAsync(gateway, request, r => r.ToOffset = 100);
        var beforeTheStart = await ResetAsync(gateway, request, r => r.ShiftBy = -100);
        var described = await gateway.Admin.DescribeGroupAsync(new DescribeGroupRequest { Topic = topic, Group = group });
        var toLatest = await ResetAsync(gateway, request, r => r.ToLatest = true);

        Assert.Equal((2ul, 3ul, false), (toOffset.PreviousPosition, toOffset.NewPosition, toOffset.Clamped));
        Assert.Equal(2L, stored);
        Assert.Equal((3ul, 2ul, false), (shifted.PreviousPosition, shifted.NewPosition, shifted.Clamped));
        Assert.Equal(1L, shiftedStored);
        Assert.Equal((2ul, 5ul, true), (pastTheEnd.PreviousPosition, pastTheEnd.NewPosition, pastTheEnd.Clamped));
        Assert.Equal((5ul, 0ul, true), (beforeTheStart.PreviousPosition, beforeTheStart.NewPosition, beforeTheStart.Clamped));
        // Position 0 is stored as Liiklus's "nothing acked, start at 0" (-1), which GetOffsets leaves out.
        Assert.Equal((true, 0ul, 5ul), described.Partitions.Where(p => p.Partition == partition).Select(p => (p.HasPosition, p.Position, p.Lag)).Single());
        Assert.Equal((0ul, 5ul, false), (toLatest.PreviousPosition, toLatest.NewPosition, toLatest.Clamped));
        Assert.Equal(4L, await StoredAsync(gateway, topic, group, partition));
    }

    [Fact]
    public async Task Reset_by_a_duration_back_goes_to_the_end_where_no_record_is_that_recent()
    {
        await using var gateway = await StartGatewayAsync();
        var (topic, group, partition) = await TopicWithFiveRecordsAsync(gateway);

        var planned = await gateway.Admin.ResetPositionsAsync(new ResetPositionsRequest
        {
            Topic = topic, Group = group, ByDuration = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.Zero),
        });

        // Nothing was published since now: every partition goes to its end.
        Assert.Equal(5ul, planned.Partitions.Single(p => p.Partition == partition).NewPosition);
        Assert.All(planned.Partitions.Where(p => p.Partition != partition), p => Assert.Equal(0ul, p.NewPosition));
        Assert.All(planned.Partitions, p => Assert.False(p.Clamped));
    }

    [Fact]
    public async Task Reset_of_an_unknown_topic_is_not_found_and_a_partition_it_lacks_or_a_missing_target_invalid_naming_the_field()
    {
        await using var gateway = await StartGatewayAsync();
        var (topic, group, _) = await TopicWithFiveRecordsAsync(gateway);
        var unknown = NewName("unknown");

        var unknownTopic = await SecureClients.StatusOf(() => gateway.Admin.ResetPositionsAsync(
            new ResetPositionsRequest { Topic = unknown, Group = group, ToEarliest = true, Execute = true }).ResponseAsync);
        var noSuchPartition = await SecureClients.StatusOf(() => gateway.Admin.ResetPositionsAsync(
            new ResetPositionsRequest { Topic = topic, Group = group, Partitions = { 0, 1000 }, ToEarliest = true, Execute = true }).ResponseAsync);
        var noTarget = await SecureClients.StatusOf(() => gateway.Admin.ResetPositionsAsync(
            new ResetPositionsRequest { Topic = topic, Group = group, Execute = true }).ResponseAsync);

        Assert.Equal((StatusCode.NotFound, $"topic '{unknown}' does not exist"), (unknownTopic.StatusCode, unknownTopic.Detail));
        Assert.Equal(StatusCode.InvalidArgument, noSuchPartition.StatusCode);
        Assert.StartsWith($"partitions[1]: topic '{topic}' has no partition 1000", noSuchPartition.Detail);
        Assert.Equal(StatusCode.InvalidArgument, noTarget.StatusCode);
        Assert.StartsWith("target: ", noTarget.Detail);
        Assert.Empty((await gateway.Client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group })).Offsets);
    }

    [Fact]
    public async Task Executed_reset_assigns_a_live_consumers_partition_again_under_a_new_session_and_refuses_acks_made_before_it()
    {
        await using var gateway = await StartGatewayAsync();
        var (topic, group, partition) = await TopicWithFiveRecordsAsync(gateway);
        using var subscription = gateway.Client.Subscribe(topic, group);
        var before = await AssignmentFor(subscription, partition);
        using var oldReceive = gateway.Client.Receive(before);
        Assert.Equal(4ul, (await oldReceive.ReadAsync(5))[4].OffsetOf());
        await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = 3 });

        var reset = await gateway.Admin.ResetPositionsAsync(
            new ResetPositionsRequest { Topic = topic, Group = group, Partitions = { partition }, ToOffset = 2, Execute = true });

        Assert.True(reset.Executed);
        // The old stream ends as a revoked one does; the partition comes back under a new session id.
        Assert.Empty(await oldReceive.ReadToEndAsync());
        var after = await AssignmentFor(subscription, partition);
        Assert.NotEqual(before.SessionId, after.SessionId);
        using var newReceive = gateway.Client.Receive(after);
        var redelivered = await newReceive.ReadAsync(3);
        Assert.Equal([2ul, 3ul, 4ul], redelivered.Select(r => r.OffsetOf()));

#pragma warning disable CS0612 // the legacy session-bound ack
        var oldSession = await SecureClients.StatusOf(() => gateway.Client.AckAsync(new AckRequest { Assignment = before, Offset = 4 }).ResponseAsync);
        var belowTheTarget = await SecureClients.StatusOf(() =>
            gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = 1 }).ResponseAsync);
        Assert.Equal(2L, await StoredAsync(gateway, topic, group, partition) + 1);
        await gateway.Client.AckAsync(new AckRequest { Assignment = after, Offset = 3 });
        var newSession = await StoredAsync(gateway, topic, group, partition);
#pragma warning restore CS0612
        await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = 4 });

        Assert.Equal(StatusCode.FailedPrecondition, oldSession.StatusCode);
        Assert.Contains("before its positions were reset", oldSession.Detail);
        Assert.Equal(StatusCode.FailedPrecondition, belowTheTarget.StatusCode);
        Assert.Contains("made before the reset", belowTheTarget.Detail);
        Assert.Equal(3L, newSession);
        Assert.Equal(4L, await StoredAsync(gateway, topic, group, partition));
    }

    [Fact]
    public async Task After_a_reset_a_stateless_ack_past_what_was_delivered_since_is_refused_until_the_record_is_delivered()
    {
        await using var gateway = await StartGatewayAsync();
        var (topic, group, partition) = await TopicWithFiveRecordsAsync(gateway);
        using var subscription = gateway.Client.Subscribe(topic, group);
        var before = await AssignmentFor(subscription, partition);
        using var oldReceive = gateway.Client.Receive(before);
        await oldReceive.ReadAsync(5);

        await gateway.Admin.ResetPositionsAsync(new ResetPositionsRequest { Topic = topic, Group = group, ToLatest = true, Execute = true });
        var after = await AssignmentFor(subscription, partition);
        using var newReceive = gateway.Client.Receive(after);
        var inFlight = await SecureClients.StatusOf(() =>
            gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = 5 }).ResponseAsync);
        await gateway.Client.PublishAsync(topic, "v5", key: "k");
        Assert.Equal(5ul, (await newReceive.ReadAsync(1))[0].OffsetOf());
        await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = 5 });

        Assert.Equal(StatusCode.FailedPrecondition, inFlight.StatusCode);
        Assert.Contains("has not been delivered since", inFlight.Detail);
        Assert.Equal(5L, await StoredAsync(gateway, topic, group, partition));
    }

    [Fact]
    public async Task Delete_group_deletes_one_version_or_every_version_and_refuses_live_members_and_versions_without_positions()
    {
        await using var gateway = await StartGatewayAsync();
        var (topic, group, partition) = await TopicWithFiveRecordsAsync(gateway);
        foreach (var version in new uint[] { 0, 1, 2 })
        {
            await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, GroupVersion = version, Partition = partition, Offset = 3 });
        }

        using (var subscription = gateway.Client.Subscribe(topic, group, version: 2))
        {
            await subscription.NextAsync();
            var live = await SecureClients.StatusOf(() =>
                gateway.Admin.DeleteGroupAsync(new DeleteGroupRequest { Topic = topic, Group = group, GroupVersion = 2 }).ResponseAsync);
            Assert.Equal(StatusCode.FailedPrecondition, live.StatusCode);
            Assert.Contains("live member", live.Detail);
        }

        var one = await gateway.Admin.DeleteGroupAsync(new DeleteGroupRequest { Topic = topic, Group = $"{group}-v1", GroupVersion = 0 });
        var again = await SecureClients.StatusOf(() =>
            gateway.Admin.DeleteGroupAsync(new DeleteGroupRequest { Topic = topic, Group = group, GroupVersion = 1 }).ResponseAsync);
        // The subscription's end reaches its coordinator a moment after the call ends.
        DeleteGroupReply? rest = null;
        await Eventually.Until(
            () => SecureClients.StatusOf(async () => rest = await gateway.Admin.DeleteGroupAsync(new DeleteGroupRequest { Topic = topic, Group = group })),
            status => status.StatusCode != StatusCode.FailedPrecondition,
            "the version 2 subscription gone");
        var none = await SecureClients.StatusOf(() =>
            gateway.Admin.DeleteGroupAsync(new DeleteGroupRequest { Topic = topic, Group = group }).ResponseAsync);

        Assert.Equal([1u], one.DeletedVersions);
        Assert.Equal(StatusCode.NotFound, again.StatusCode);
        Assert.Equal($"group '{group}' version 1 of topic '{topic}' has no stored positions", again.Detail);
        Assert.Equal([0u, 2u], rest?.DeletedVersions);
        Assert.Equal(StatusCode.NotFound, none.StatusCode);
        foreach (var version in new uint[] { 0, 1, 2 })
        {
            Assert.Empty((await gateway.Client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group, GroupVersion = version })).Offsets);
        }
    }

    [Fact]
    public async Task Describe_group_answers_when_an_ack_of_the_version_was_last_stored()
    {
        await using var gateway = await StartGatewayAsync();
        var (topic, group, partition) = await TopicWithFiveRecordsAsync(gateway);
        var before = DateTimeOffset.UtcNow;
        await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = 1 });
        var after = DateTimeOffset.UtcNow;

        var described = await gateway.Admin.DescribeGroupAsync(new DescribeGroupRequest { Topic = topic, Group = group });

        var acked = described.Partitions.Single(p => p.Partition == partition).LastAckTime.ToDateTimeOffset();
        Assert.InRange(acked, before.AddMilliseconds(-1), after.AddMilliseconds(1));
        Assert.All(described.Partitions.Where(p => p.Partition != partition), p => Assert.Null(p.LastAckTime));
    }

    private static async Task<(string Topic, string Group, uint Partition)> TopicWithFiveRecordsAsync(TestGateway gateway)
    {
        var topic = NewName("topic");
        var partition = await PublishToOnePartitionAsync(gateway, topic, 5);

        return (topic, NewName("group"), partition);
    }

    private static async Task<PartitionReset> ResetAsync(TestGateway gateway, ResetPositionsRequest template, Action<ResetPositionsRequest> target)
    {
        var request = template.Clone();
        target(request);
        var reply = await gateway.Admin.ResetPositionsAsync(request);
        Assert.True(reply.Executed);
        return Assert.Single(reply.Partitions);
    }

    /// <summary>The stored last acked offset, -1 for "nothing acked, start at 0" (which GetOffsets leaves out).</summary>
    private static async Task<long> StoredAsync(TestGateway gateway, string topic, string group, uint partition)
    {
        var offsets = await gateway.Client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group });
        return offsets.Offsets.TryGetValue(partition, out var offset) ? (long)offset : -1;
    }

    /// <summary>Publishes records v0, v1, ... under one key, so they land on one partition; answers it.</summary>
    private static async Task<uint> PublishToOnePartitionAsync(TestGateway gateway, string topic, int count)
    {
        var partition = (await gateway.Client.PublishAsync(topic, "v0", key: "k")).Partition;
        for (var i = 1; i < count; i++)
        {
            await gateway.Client.PublishAsync(topic, $"v{i}", key: "k");
        }

        return partition;
    }
}
