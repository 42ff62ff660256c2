using Akka.Actor;
using Akka.Hosting;
using Akka.TestKit.Xunit2;
using Liiklus.Actors.Groups;
using Liiklus.Storage.Positions;
using Xunit;

namespace Liiklus.Tests.Actors;

/// <summary>
/// Where <see cref="GroupPositions"/> sends a group's commands: straight to the group's coordinator when it runs on this
/// node, through the shard region otherwise, and through the region again when the coordinator stopped in between.
/// </summary>
public sealed class GroupPositionsSpecs : TestKit
{
    private const string Topic = "orders";
    private static readonly GroupId Group = new("billing", 0);
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(10);
    private readonly LocalCoordinators _local = new();

    [Fact]
    public async Task An_ack_for_a_coordinator_on_this_node_goes_to_it_not_through_the_region()
    {
        var region = CreateTestProbe();
        var coordinator = CreateTestProbe();
        _local.Coordinating(Topic, Group.Name, coordinator.Ref);
        var positions = new GroupPositions(new FixedRegion(region.Ref), _local);

        var acked = positions.AckAsync(Topic, Group, 3, 42, null, CancellationToken.None);
        var ack = coordinator.ExpectMsg<AckPosition>(Answer);
        coordinator.Reply(new AckStored(3));
        await acked.WaitAsync(Answer);

        Assert.Equal((3, 42L), (ack.Partition, ack.Offset));
        Assert.False(region.HasMessages);
    }

    [Fact]
    public async Task An_ack_for_a_group_coordinated_elsewhere_goes_through_the_region()
    {
        var region = CreateTestProbe();
        var positions = new GroupPositions(new FixedRegion(region.Ref), _local);

        var acked = positions.AckAsync(Topic, Group, 3, 42, null, CancellationToken.None);
        region.ExpectMsg<AckPosition>(Answer);
        region.Reply(new AckStored(3));

        await acked.WaitAsync(Answer);
    }

    [Fact]
    public async Task An_ack_that_reached_a_coordinator_which_had_stopped_is_answered_through_the_region()
    {
        var regionInbox = CreateTestProbe();
        // Named as sharding names a coordinator: region / shard / entity.
        var region = Sys.ActorOf(Props.Create(() => new ForwardingParent(regionInbox.Ref, "shard", true)), "region");
        var coordinator = await Sys.ActorSelection(region.Path / "shard" / "entity").ResolveOne(Answer);
        var rerouter = Sys.ActorOf(GroupCommandRerouter.Props(region));
        // Answered once started, so it listens for dead letters from here on.
        await rerouter.Ask<ActorIdentity>(new Identify(null), Answer);
        // Looked up while it coordinated, then stopped before the ack reached it.
        _local.Coordinating(Topic, Group.Name, coordinator);
        Watch(coordinator);
        Sys.Stop(coordinator);
        ExpectTerminated(coordinator, Answer);
        var positions = new GroupPositions(new FixedRegion(region), _local);

        var acked = positions.AckAsync(Topic, Group, 3, 42, null, CancellationToken.None);
        var ack = regionInbox.ExpectMsg<AckPosition>(Answer);
        regionInbox.Reply(new AckStored(3));

        await acked.WaitAsync(Answer);
        Assert.Equal(42L, ack.Offset);
    }

    /// <summary>The region as the host's registry hands it out.</summary>
    private sealed class FixedRegion(IActorRef region) : IRequiredActor<GroupCoordinatorRegion>
    {
        public IActorRef ActorRef => region;

        public Task<IActorRef> GetAsync(CancellationToken cancel = default) => Task.FromResult(region);
    }

    /// <summary>Forwards what it gets to <paramref name="inbox"/>; the region's one starts its shard, which starts an entity.</summary>
    private sealed class ForwardingParent : ReceiveActor
    {
        public ForwardingParent(IActorRef inbox, string child, bool grandchild)
        {
            Context.ActorOf(grandchild ? Props.Create(() => new ForwardingParent(inbox, "entity", false)) : Props.Create(() => new Sink()), child);
            ReceiveAny(message => inbox.Forward(message));
        }
    }

    private sealed class Sink : ReceiveActor
    {
        public Sink() => ReceiveAny(_ => { });
    }
}
