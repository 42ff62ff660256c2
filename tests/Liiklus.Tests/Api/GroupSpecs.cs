using Grpc.Core;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Api;

public sealed class GroupSpecs(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly LiiklusService.LiiklusServiceClient _client = fixture.Client;

    [Fact]
    public async Task First_subscriber_is_assigned_every_partition_of_the_topic()
    {
        using var subscription = _client.Subscribe(NewName("topic"), NewName("group"));

        var assignments = await subscription.NextAsync(8);

        Assert.Equal(Enumerable.Range(0, 8).Select(p => (uint)p), assignments.Select(a => a.Partition).Order());
        Assert.Single(assignments.Select(a => a.SessionId).Distinct());
    }

    [Fact]
    public async Task Second_subscriber_takes_half_and_the_moved_partitions_receive_streams_complete()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        using var first = _client.Subscribe(topic, group);
        var firstAssignments = await first.NextAsync(8);
        var receives = firstAssignments.ToDictionary(a => a.Partition, a => _client.Receive(a));

        using var second = _client.Subscribe(topic, group);
        var taken = await second.NextAsync(4);

        Assert.Equal(4, taken.Select(a => a.Partition).Distinct().Count());
        Assert.Single(taken.Select(a => a.SessionId).Distinct());
        Assert.NotEqual(firstAssignments[0].SessionId, taken[0].SessionId);
        foreach (var moved in taken)
        {
            // Revoking a partition completes its Receive stream normally.
            Assert.Empty(await receives[moved.Partition].ReadToEndAsync());
            Assert.Equal(StatusCode.OK, receives[moved.Partition].GetStatus().StatusCode);
        }

        foreach (var receive in receives.Values)
        {
            receive.Dispose();
        }
    }

    [Fact]
    public async Task Ended_subscription_hands_its_partitions_to_the_remaining_one()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        using var stays = _client.Subscribe(topic, group);
        await stays.NextAsync(8);
        var leaves = _client.Subscribe(topic, group);
        var taken = await leaves.NextAsync(4);

        leaves.Dispose();
        var handedBack = await stays.NextAsync(4);

        Assert.Equal(taken.Select(a => a.Partition).Order(), handedBack.Select(a => a.Partition).Order());
    }

    [Fact]
    public async Task Versions_of_one_group_name_share_the_assignment()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        using var v1 = _client.Subscribe(topic, group, version: 1);
        await v1.NextAsync(8);

        using var v2 = _client.Subscribe(topic, $"{group}-v2");
        var taken = await v2.NextAsync(4);

        Assert.Equal(4, taken.Select(a => a.Partition).Distinct().Count());
    }

    [Fact]
    public async Task Receive_resumes_right_after_the_last_acked_offset()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        var partition = (await _client.PublishAsync(topic, "v0", key: "k")).Partition;
        for (var i = 1; i < 10; i++)
        {
            await _client.PublishAsync(topic, $"v{i}", key: "k");
        }

        ulong acked;
        using (var first = _client.Subscribe(topic, group))
        {
            using var receive = _client.Receive(await AssignmentFor(first, partition));
            var records = await receive.ReadAsync(4);
            acked = records[3].Record.Offset;
            await _client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = partition, Offset = acked });
        }

        using var second = _client.Subscribe(topic, group);
        using var resumed = _client.Receive(await AssignmentFor(second, partition));
        var next = await resumed.ReadAsync(6);

        Assert.Equal(acked + 1, next[0].Record.Offset);
        Assert.Equal(Enumerable.Range(4, 6).Select(i => $"v{i}"), next.Select(r => r.Record.Value.ToStringUtf8()));
    }

    [Fact]
    public async Task Legacy_session_ack_stores_the_position_of_the_sessions_group_version()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        using var subscription = _client.Subscribe(topic, group, version: 3);
        var assignment = await subscription.NextAsync();

#pragma warning disable CS0612
        await _client.AckAsync(new AckRequest { Assignment = assignment, Offset = 17 });
#pragma warning restore CS0612

        var offsets = await _client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group, GroupVersion = 3 });
        Assert.Equal(new Dictionary<uint, ulong> { [assignment.Partition] = 17 }, offsets.Offsets);
    }

    [Fact]
    public async Task Ack_is_last_write_wins()
    {
        var topic = NewName("topic");
        var group = NewName("group");

        foreach (var offset in new ulong[] { 10, 200, 100 })
        {
            await _client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = 2, Offset = offset });
        }

        var offsets = await _client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group });
        Assert.Equal(100ul, offsets.Offsets[2]);
    }

    [Fact]
    public async Task Get_offsets_answers_exactly_the_asked_group_version_and_name_vN_means_version_N()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        await _client.AckAsync(new AckRequest { Topic = topic, Group = group, GroupVersion = 1, Partition = 0, Offset = 5 });
        await _client.AckAsync(new AckRequest { Topic = topic, Group = $"{group}-v2", Partition = 0, Offset = 9 });

        var v1 = await _client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group, GroupVersion = 1 });
        var v2 = await _client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group, GroupVersion = 2 });
        var v2Legacy = await _client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = $"{group}-v2" });
        var unversioned = await _client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group });

        Assert.Equal(5ul, v1.Offsets[0]);
        Assert.Equal(9ul, v2.Offsets[0]);
        Assert.Equal(v2.Offsets, v2Legacy.Offsets);
        Assert.Empty(unversioned.Offsets);
    }

    [Fact]
    public async Task Replay_marks_records_up_to_the_highest_offset_any_version_acked()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        var partition = (await _client.PublishAsync(topic, "v0", key: "k")).Partition;
        for (var i = 1; i < 6; i++)
        {
            await _client.PublishAsync(topic, $"v{i}", key: "k");
        }

        // Version 1 processed up to offset 3; version 2 starts from scratch and re-reads those as replays.
        await _client.AckAsync(new AckRequest { Topic = topic, Group = group, GroupVersion = 1, Partition = partition, Offset = 3 });
        using var v2 = _client.Subscribe(topic, group, version: 2);
        using var receive = _client.Receive(await AssignmentFor(v2, partition));
        var records = await receive.ReadAsync(6);

        Assert.Equal([true, true, true, true, false, false], records.Select(r => r.Record.Replay));
        Assert.Equal(0ul, records[0].Record.Offset);
    }

    [Fact]
    public async Task End_offsets_are_last_offsets_with_max_uint64_for_empty_partitions()
    {
        var topic = NewName("topic");
        var published = await _client.PublishAsync(topic, "a", key: "k");
        await _client.PublishAsync(topic, "b", key: "k");

        var reply = await _client.GetEndOffsetsAsync(new GetEndOffsetsRequest { Topic = topic });

        Assert.Equal(8, reply.Offsets.Count);
        Assert.Equal(published.Offset + 1, reply.Offsets[published.Partition]);
        Assert.All(reply.Offsets.Where(o => o.Key != published.Partition), o => Assert.Equal(18446744073709551615ul, o.Value));
    }

    [Fact]
    public async Task End_offsets_of_an_unknown_topic_are_an_empty_map()
    {
        var reply = await _client.GetEndOffsetsAsync(new GetEndOffsetsRequest { Topic = NewName("unknown") });

        Assert.Empty(reply.Offsets);
    }

    [Fact]
    public async Task Receive_of_an_ended_session_is_not_found()
    {
        var subscription = _client.Subscribe(NewName("topic"), NewName("group"));
        var assignment = await subscription.NextAsync();
        subscription.Dispose();

        var status = await Eventually.Until(
            async () =>
            {
                using var receive = _client.Receive(assignment);
                try
                {
                    await receive.ReadToEndAsync();
                    return StatusCode.OK;
                }
                catch (RpcException e)
                {
                    return e.StatusCode;
                }
            },
            code => code == StatusCode.NotFound,
            "NOT_FOUND for an ended session");

        Assert.Equal(StatusCode.NotFound, status);
    }

    [Fact]
    public async Task Second_receive_of_a_partition_replaces_the_first()
    {
        var topic = NewName("topic");
        var partition = (await _client.PublishAsync(topic, "v0", key: "k")).Partition;
        using var subscription = _client.Subscribe(topic, NewName("group"));
        var assignment = await AssignmentFor(subscription, partition);
        using var first = _client.Receive(assignment);
        await first.ReadAsync(1);

        using var second = _client.Receive(assignment);
        var again = await second.ReadAsync(1);

        Assert.Empty(await first.ReadToEndAsync());
        Assert.Equal("v0", again[0].Record.Value.ToStringUtf8());
    }
}
