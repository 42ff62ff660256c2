using Grpc.Core;
using Liiklus.Protocol;
using Liiklus.Protocol.Admin;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Api.Admin;

/// <summary>
/// The admin API's reads through Kestrel, the same on every pair of storages: offsets as "the next record delivered"
/// (a partition's end is the offset its next record gets, a group's position the stored last ack + 1).
/// </summary>
public abstract class AdminApiContract
{
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
        var partition = (await gateway.Client.PublishAsync(topic, "v0", key: "k")).Partition;
        for (var i = 1; i < 5; i++)
        {
            await gateway.Client.PublishAsync(topic, $"v{i}", key: "k");
        }

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
        var partition = (await gateway.Client.PublishAsync(topic, "v0", key: "k")).Partition;
        for (var i = 1; i < 5; i++)
        {
            await gateway.Client.PublishAsync(topic, $"v{i}", key: "k");
        }

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
}
