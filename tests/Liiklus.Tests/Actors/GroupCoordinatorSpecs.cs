using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.Memory;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Liiklus.Actors.Groups;
using Liiklus.Storage.Records.Memory;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Actors;

public sealed class GroupCoordinatorSpecs : TestKit
{
    private const string Topic = "orders";
    private const string Group = "billing";
    private readonly InMemoryRecordsStorage _records = new(new InMemoryRecordsOptions(PartitionsPerTopic: 8));
    private readonly IActorRef _coordinator;

    public GroupCoordinatorSpecs() : base(WireCheckedConfig.Config) =>
        _coordinator = Sys.ActorOf(GroupCoordinator.Props(_records, new InMemoryPositionsStorage(), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)));

    [Fact]
    public void First_member_gets_every_partition()
    {
        var member = Join("a");

        Assert.Equal(Enumerable.Range(0, 8), member.ExpectMsg<PartitionsAssigned>().Partitions.Order());
    }

    [Fact]
    public void Second_member_takes_half_of_the_partitions_disjoint_from_the_first()
    {
        var first = Join("a");
        first.ExpectMsg<PartitionsAssigned>();
        var second = Join("b");

        var revoked = first.ExpectMsg<PartitionsRevoked>().Partitions;
        var taken = second.ExpectMsg<PartitionsAssigned>().Partitions;

        Assert.Equal(4, taken.Count);
        Assert.Equal(revoked.Order(), taken.Order());
        var state = State();
        Assert.Equal(4, state.AssignmentsBySession["a"].Count);
        Assert.Empty(state.AssignmentsBySession["a"].Intersect(state.AssignmentsBySession["b"]));
        Assert.Equal(Enumerable.Range(0, 8), state.AssignmentsBySession.Values.SelectMany(p => p).Order());
    }

    [Fact]
    public void Leaving_member_partitions_move_to_the_survivor_at_once()
    {
        var first = Join("a");
        first.ExpectMsg<PartitionsAssigned>();
        var second = Join("b");
        second.ExpectMsg<PartitionsAssigned>();
        first.ExpectMsg<PartitionsRevoked>();

        Watch(first.Ref);
        Sys.Stop(first.Ref);
        ExpectTerminated(first.Ref);

        var regained = second.ExpectMsg<PartitionsAssigned>().Partitions;
        Assert.Equal(4, regained.Count);
        Assert.Equal(Enumerable.Range(0, 8), State().AssignmentsBySession["b"].Order());
    }

    [Fact]
    public void Explicit_leave_hands_the_partitions_over()
    {
        var first = Join("a");
        first.ExpectMsg<PartitionsAssigned>();
        var second = Join("b");
        second.ExpectMsg<PartitionsAssigned>();

        _coordinator.Tell(new LeaveGroup(Topic, Group, "a"));

        second.ExpectMsg<PartitionsAssigned>();
        Assert.Equal(["b"], State().AssignmentsBySession.Keys);
    }

    [Fact]
    public void Rebalance_on_join_moves_only_the_partitions_the_newcomer_needs()
    {
        var members = new[] { "a", "b", "c" }.Select(Join).ToList();
        foreach (var member in members)
        {
            member.FishForMessage(m => m is PartitionsAssigned);
        }

        var before = State().AssignmentsBySession;
        Join("d").ExpectMsg<PartitionsAssigned>();
        var after = State().AssignmentsBySession;

        // 8 partitions over 3 members is 3/3/2; over 4 it is 2 each, so exactly two partitions move.
        Assert.Equal(2, after["d"].Count);
        foreach (var name in new[] { "a", "b", "c" })
        {
            Assert.Subset(before[name].ToHashSet(), after[name].ToHashSet());
        }
    }

    [Fact]
    public void Claimed_stream_is_told_when_its_partition_moves_to_another_member()
    {
        var first = Join("a");
        first.ExpectMsg<PartitionsAssigned>();
        var stream = CreateTestProbe();
        // The first member keeps the lowest partitions it holds: 7 is one of those that move.
        _coordinator.Tell(new ClaimPartition(Topic, Group, "a", 7, stream.Ref));
        stream.ExpectMsg<PartitionClaimed>();

        var second = Join("b");

        Assert.Contains(7, second.ExpectMsg<PartitionsAssigned>().Partitions);
        Assert.Equal(7, stream.ExpectMsg<ClaimRevoked>().Partition);
    }

    [Fact]
    public void Partitions_added_to_the_topic_are_assigned_when_a_member_joins()
    {
        var first = Join("a");
        first.ExpectMsg<PartitionsAssigned>();

        _records.IncreasePartitions(Topic, 12);
        var second = Join("b");

        // Its share of the 8 partitions known so far, then its share of the 4 the join's refresh found.
        var taken = second.ExpectMsg<PartitionsAssigned>().Partitions.Concat(second.ExpectMsg<PartitionsAssigned>().Partitions).ToList();
        AwaitAssert(() =>
        {
            var state = State();
            Assert.Equal(12, state.PartitionCount);
            Assert.Equal(Enumerable.Range(0, 12), state.AssignmentsBySession.Values.SelectMany(p => p).Order());
            Assert.Equal(6, state.AssignmentsBySession["a"].Count);
        });
        Assert.Equal(State().AssignmentsBySession["b"].Order(), taken.Order());
    }

    [Fact]
    public void Partitions_added_to_the_topic_are_assigned_on_the_refresh_timer_and_members_keep_theirs()
    {
        var coordinator = Sys.ActorOf(GroupCoordinator.Props(_records, new InMemoryPositionsStorage(), TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(100)));
        var topic = $"growing-{Guid.NewGuid():N}";
        var member = CreateTestProbe();
        coordinator.Tell(new JoinGroup(topic, Group, "a", member.Ref));
        Assert.Equal(Enumerable.Range(0, 8), member.ExpectMsg<PartitionsAssigned>().Partitions.Order());

        _records.IncreasePartitions(topic, 10);

        Assert.Equal([8, 9], member.ExpectMsg<PartitionsAssigned>(TimeSpan.FromSeconds(5)).Partitions.Order());
        // A rebalance tells revocations before assignments: none came.
        Assert.False(member.HasMessages);
    }

    [Fact]
    public void Claimed_stream_is_told_when_its_session_ends()
    {
        var member = Join("a");
        member.ExpectMsg<PartitionsAssigned>();
        var stream = CreateTestProbe();
        _coordinator.Tell(new ClaimPartition(Topic, Group, "a", 3, stream.Ref));
        stream.ExpectMsg<PartitionClaimed>();

        Sys.Stop(member.Ref);

        Assert.Equal(3, stream.ExpectMsg<ClaimRevoked>().Partition);
    }

    [Fact]
    public void Newer_receive_of_the_same_partition_replaces_the_older_one()
    {
        Join("a").ExpectMsg<PartitionsAssigned>();
        var older = CreateTestProbe();
        var newer = CreateTestProbe();

        _coordinator.Tell(new ClaimPartition(Topic, Group, "a", 0, older.Ref));
        older.ExpectMsg<PartitionClaimed>();
        _coordinator.Tell(new ClaimPartition(Topic, Group, "a", 0, newer.Ref));

        older.ExpectMsg<ClaimRevoked>();
        newer.ExpectMsg<PartitionClaimed>();
    }

    [Fact]
    public void Claim_of_an_unknown_session_is_answered_session_unknown()
    {
        Join("a").ExpectMsg<PartitionsAssigned>();
        var stream = CreateTestProbe();

        _coordinator.Tell(new ClaimPartition(Topic, Group, "stale", 0, stream.Ref));

        Assert.Equal("stale", stream.ExpectMsg<SessionUnknown>().SessionId);
    }

    [Fact]
    public void Claim_of_a_partition_owned_by_another_session_is_refused()
    {
        Join("a").ExpectMsg<PartitionsAssigned>();
        Join("b").ExpectMsg<PartitionsAssigned>();
        var foreign = State().AssignmentsBySession["a"][0];
        var stream = CreateTestProbe();

        _coordinator.Tell(new ClaimPartition(Topic, Group, "b", foreign, stream.Ref));

        Assert.Equal(foreign, stream.ExpectMsg<PartitionNotOwned>().Partition);
    }

    [Fact]
    public void Rejoining_session_learns_its_current_partitions_again()
    {
        var member = Join("a");
        member.ExpectMsg<PartitionsAssigned>();

        _coordinator.Tell(new JoinGroup(Topic, Group, "a", member.Ref));

        Assert.Equal(Enumerable.Range(0, 8), member.ExpectMsg<PartitionsAssigned>().Partitions.Order());
    }

    [Fact]
    public void Coordinator_left_without_members_asks_to_be_passivated()
    {
        var shard = CreateTestProbe();
        var records = new InMemoryRecordsStorage(new InMemoryRecordsOptions(PartitionsPerTopic: 2));
        var coordinator = shard.ChildActorOf(GroupCoordinator.Props(records, new InMemoryPositionsStorage(), TimeSpan.FromMilliseconds(300), TimeSpan.FromMinutes(1)));
        var member = CreateTestProbe();
        coordinator.Tell(new JoinGroup(Topic, Group, "a", member.Ref));
        member.ExpectMsg<PartitionsAssigned>();

        coordinator.Tell(new LeaveGroup(Topic, Group, "a"));

        shard.ExpectMsg<Passivate>();
    }

    [Fact]
    public void Idle_timeout_that_was_already_queued_when_a_member_joined_does_not_passivate()
    {
        var (shard, coordinator) = IdleCoordinatorUnderShard();
        var member = CreateTestProbe();
        coordinator.Tell(new JoinGroup(Topic, Group, "b", member.Ref));
        member.ExpectMsg<PartitionsAssigned>();

        // The timer's message was in the mailbox behind the join.
        coordinator.Tell(ReceiveTimeout.Instance);
        coordinator.Tell(new GetGroupState(Topic, Group), TestActor);

        Assert.Equal(["b"], ExpectMsg<GroupState>().AssignmentsBySession.Keys);
        Assert.False(shard.HasMessages, "a coordinator with a member asked to be passivated");
    }

    [Fact]
    public void Join_that_reaches_a_passivating_coordinator_goes_back_to_the_shard_for_the_next_incarnation()
    {
        var (shard, coordinator) = IdleCoordinatorUnderShard();
        var member = CreateTestProbe();

        // The idle timeout fired just before the join arrived: the coordinator asks to stop, then sees the join.
        coordinator.Tell(ReceiveTimeout.Instance);
        coordinator.Tell(new JoinGroup(Topic, Group, "b", member.Ref), member.Ref);

        shard.ExpectMsg<Passivate>();
        var forwarded = shard.ExpectMsg<JoinGroup>();
        Assert.Equal("b", forwarded.SessionId);
        Assert.Equal(member.Ref, shard.LastSender);
        // Handled here, the join's partitions would have ended with this incarnation, as if revoked.
        Assert.False(member.HasMessages, "the passivating coordinator assigned partitions it was about to drop");
    }

    [Fact]
    public async Task Ack_that_comes_while_an_earlier_ack_of_its_partition_is_written_is_stored_after_it()
    {
        var positions = new InMemoryPositionsStorage();
        var held = new HeldWritePositionsStorage(positions, heldOffset: 200);
        var coordinator = Sys.ActorOf(GroupCoordinator.Props(_records, held, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)));
        var first = CreateTestProbe();
        var second = CreateTestProbe();

        coordinator.Tell(new AckPosition(Topic, Group, 0, 3, 200, null), first.Ref);
        await held.HeldWriteStarted.WaitAsync(TimeSpan.FromSeconds(10));
        coordinator.Tell(new AckPosition(Topic, Group, 0, 3, 100, null), second.Ref);
        // Answered after the second ack: the coordinator has taken it while the first one's write is still held.
        coordinator.Tell(new GetGroupState(Topic, Group), TestActor);
        ExpectMsg<GroupState>();
        held.Release();

        first.ExpectMsg<AckStored>();
        second.ExpectMsg<AckStored>();
        Assert.Equal([200L, 100L], held.Written);
        Assert.Equal(100, (await positions.GetAsync(Topic, new GroupId(Group, 0), CancellationToken.None))[3]);
    }

    [Fact]
    public async Task Acks_that_wait_behind_a_write_of_their_partition_are_written_once_as_the_last_of_them_and_all_answered()
    {
        var positions = new InMemoryPositionsStorage();
        var held = new HeldWritePositionsStorage(positions, heldOffset: 200);
        var coordinator = Sys.ActorOf(GroupCoordinator.Props(_records, held, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)));
        var askers = Enumerable.Range(0, 4).Select(_ => CreateTestProbe()).ToList();

        coordinator.Tell(new AckPosition(Topic, Group, 0, 3, 200, null), askers[0].Ref);
        await held.HeldWriteStarted.WaitAsync(TimeSpan.FromSeconds(10));
        coordinator.Tell(new AckPosition(Topic, Group, 0, 3, 300, null), askers[1].Ref);
        coordinator.Tell(new AckPosition(Topic, Group, 0, 3, 150, null), askers[2].Ref);
        coordinator.Tell(new AckPosition(Topic, Group, 0, 5, 7, null), askers[3].Ref);
        // Another partition's ack is not held up by this one's write.
        Assert.Equal(new AckStored(5), askers[3].ExpectMsg<AckStored>());
        held.Release();

        foreach (var asker in askers.Take(3))
        {
            Assert.Equal(new AckStored(3), asker.ExpectMsg<AckStored>());
        }

        Assert.Equal([7L, 200L, 150L], held.Written);
        Assert.Equal(150, (await positions.GetAsync(Topic, new GroupId(Group, 0), CancellationToken.None))[3]);
    }

    /// <summary>A coordinator that had a member and lost it, under a probe standing for its shard.</summary>
    private (TestProbe Shard, IActorRef Coordinator) IdleCoordinatorUnderShard()
    {
        var shard = CreateTestProbe();
        var records = new InMemoryRecordsStorage(new InMemoryRecordsOptions(PartitionsPerTopic: 2));
        var coordinator = shard.ChildActorOf(GroupCoordinator.Props(records, new InMemoryPositionsStorage(), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10)));
        var member = CreateTestProbe();
        coordinator.Tell(new JoinGroup(Topic, Group, "a", member.Ref));
        member.ExpectMsg<PartitionsAssigned>();
        coordinator.Tell(new LeaveGroup(Topic, Group, "a"));
        coordinator.Tell(new GetGroupState(Topic, Group), TestActor);
        Assert.Empty(ExpectMsg<GroupState>().AssignmentsBySession);
        return (shard, coordinator);
    }

    private TestProbe Join(string sessionId)
    {
        var member = CreateTestProbe();
        _coordinator.Tell(new JoinGroup(Topic, Group, sessionId, member.Ref));
        return member;
    }

    private GroupState State()
    {
        _coordinator.Tell(new GetGroupState(Topic, Group), TestActor);
        return ExpectMsg<GroupState>();
    }
}
