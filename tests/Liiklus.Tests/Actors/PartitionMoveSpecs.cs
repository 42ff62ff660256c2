using Liiklus.Actors.Groups;
using Xunit;

namespace Liiklus.Tests.Actors;

/// <summary>A reset's plan for one partition, in "the next record delivered" offsets, from a stored last acked offset.</summary>
public sealed class PartitionMoveSpecs
{
    // The partition holds offsets 10 to 19: earliest 10, end 20.
    private static PartitionTarget To(long? next, long shiftBy = 0) => new(3, next, shiftBy, Earliest: 10, End: 20);

    [Theory]
    [InlineData(15L, 15L, false)]
    [InlineData(10L, 10L, false)]
    [InlineData(20L, 20L, false)]
    [InlineData(9L, 10L, true)]
    [InlineData(21L, 20L, true)]
    public void An_offset_target_is_clamped_to_what_the_partition_holds(long target, long next, bool clamped)
    {
        var move = PartitionMove.Plan(To(target), lastAcked: 13);

        Assert.Equal(new PartitionMove(3, 14, next, clamped), move);
    }

    [Fact]
    public void A_shift_moves_from_the_position_or_from_the_earliest_offset_without_one()
    {
        Assert.Equal(new PartitionMove(3, 14, 11, false), PartitionMove.Plan(To(null, shiftBy: -3), lastAcked: 13));
        Assert.Equal(new PartitionMove(3, null, 12, false), PartitionMove.Plan(To(null, shiftBy: 2), lastAcked: null));
        Assert.Equal(new PartitionMove(3, 14, 20, true), PartitionMove.Plan(To(null, shiftBy: long.MaxValue), lastAcked: 13));
        Assert.Equal(new PartitionMove(3, 14, 10, true), PartitionMove.Plan(To(null, shiftBy: long.MinValue), lastAcked: 13));
    }

    [Fact]
    public void A_stored_nothing_acked_is_position_0()
    {
        var move = PartitionMove.Plan(new PartitionTarget(0, null, 0, Earliest: 0, End: 5), lastAcked: -1);

        Assert.Equal(new PartitionMove(0, 0, 0, false), move);
    }
}
