using Liiklus.Actors.Groups;
using Xunit;

namespace Liiklus.Tests.Actors;

public sealed class StickyAssignmentSpecs
{
    [Theory]
    [InlineData(32, 1)]
    [InlineData(32, 3)]
    [InlineData(8, 5)]
    [InlineData(4, 7)]
    public void Every_partition_gets_one_owner_and_shares_differ_by_at_most_one(int partitions, int memberCount)
    {
        var members = Enumerable.Range(0, memberCount).Select(i => $"m{i}").ToList();

        var owners = StickyAssignment.Rebalance(new string?[partitions], members);

        Assert.All(owners, owner => Assert.Contains(owner, members));
        var shares = members.Select(m => owners.Count(o => o == m)).ToList();
        Assert.True(shares.Max() - shares.Min() <= 1, $"shares {string.Join(",", shares)}");
    }

    [Fact]
    public void Member_leaving_moves_only_its_own_partitions()
    {
        var members = new List<string> { "a", "b", "c" };
        var before = StickyAssignment.Rebalance(new string?[12], members);

        var after = StickyAssignment.Rebalance(before, ["a", "c"]);

        for (var p = 0; p < 12; p++)
        {
            if (before[p] != "b")
            {
                Assert.Equal(before[p], after[p]);
            }
        }

        Assert.DoesNotContain("b", after);
    }

    [Fact]
    public void No_members_leaves_every_partition_unowned()
    {
        Assert.All(StickyAssignment.Rebalance(["a", "a"], []), Assert.Null);
    }
}
