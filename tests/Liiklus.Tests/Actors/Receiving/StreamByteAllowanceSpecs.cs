using Liiklus.Actors.Receiving;
using Liiklus.Storage.Records;
using Xunit;

namespace Liiklus.Tests.Actors.Receiving;

public sealed class StreamByteAllowanceSpecs
{
    [Fact]
    public void A_stream_that_ends_while_it_waits_for_the_node_does_not_keep_the_next_one_waiting()
    {
        var node = new ByteBudget(100);
        var holder = new StreamByteAllowance(100, node);
        Assert.True(holder.TryTake(100));
        var ending = new StreamByteAllowance(100, node);
        var waiting = new StreamByteAllowance(100, node);
        Assert.False(ending.TryTake(100));
        ending.WakeWhenRoomFor(100, () => { });
        Assert.False(waiting.TryTake(100));
        var woken = false;
        waiting.WakeWhenRoomFor(100, () => woken = true);

        ending.Close();
        holder.Release(100);

        Assert.True(woken);
        Assert.True(waiting.TryTake(100));
        Assert.Equal(100, node.Used);
    }

    [Fact]
    public void A_stream_woken_for_the_node_that_takes_nothing_gives_the_bytes_back_when_it_ends()
    {
        var node = new ByteBudget(100);
        var holder = new StreamByteAllowance(100, node);
        Assert.True(holder.TryTake(100));
        var woken = new StreamByteAllowance(100, node);
        Assert.False(woken.TryTake(60));
        woken.WakeWhenRoomFor(60, () => { });

        holder.Release(100);
        woken.Close();

        Assert.Equal(0, node.Used);
        Assert.True(new StreamByteAllowance(100, node).TryTake(100));
    }

    [Fact]
    public void Waiters_wait_their_turn_and_the_bytes_of_each_woken_one_are_kept_for_it()
    {
        var node = new ByteBudget(100);
        var holder = new StreamByteAllowance(100, node);
        Assert.True(holder.TryTake(100));
        var first = new StreamByteAllowance(100, node);
        Assert.False(first.TryTake(60));
        first.WakeWhenRoomFor(60, () => { });

        holder.Release(70);
        // 70 bytes are free, but the first waiter comes first: a newcomer does not take what it waits for.
        Assert.False(new StreamByteAllowance(100, node).TryTake(50));
        Assert.True(first.TryTake(60));
        Assert.Equal(90, node.Used);
    }

    [Fact]
    public void A_chunk_larger_than_the_stream_bound_passes_alone()
    {
        var node = new ByteBudget(1000);
        var allowance = new StreamByteAllowance(100, node);

        Assert.True(allowance.TryTake(300));
        Assert.False(allowance.TryTake(1));
        allowance.Release(300);
        Assert.True(allowance.TryTake(50));
    }

    [Fact]
    public void A_stream_over_its_own_bound_is_woken_by_its_own_release()
    {
        var node = new ByteBudget(1000);
        var allowance = new StreamByteAllowance(100, node);
        Assert.True(allowance.TryTake(80));
        Assert.False(allowance.TryTake(40));
        var woken = false;
        allowance.WakeWhenRoomFor(40, () => woken = true);

        allowance.Release(80);

        Assert.True(woken);
        Assert.True(allowance.TryTake(40));
    }

    [Fact]
    public void Closing_gives_every_held_byte_back_and_refuses_later_takes()
    {
        var node = new ByteBudget(1000);
        var allowance = new StreamByteAllowance(500, node);
        Assert.True(allowance.TryTake(200));
        Assert.True(allowance.TryTake(100));

        allowance.Close();
        allowance.Release(100);

        Assert.Equal(0, node.Used);
        Assert.False(allowance.TryTake(10));
    }
}
