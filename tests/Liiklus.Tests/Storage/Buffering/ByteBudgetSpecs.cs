using Liiklus.Storage.Buffering;
using Liiklus.Storage.Records;
using Xunit;

namespace Liiklus.Tests.Storage.Buffering;

public sealed class ByteBudgetSpecs
{
    [Fact]
    public void Release_wakes_waiters_in_order_as_far_as_the_released_bytes_go()
    {
        var budget = new ByteBudget(100);
        Assert.True(budget.TryTake(100));
        var woken = new List<string>();
        budget.WakeWhenRoomFor(60, () => woken.Add("first"));
        budget.WakeWhenRoomFor(30, () => woken.Add("second"));
        budget.WakeWhenRoomFor(30, () => woken.Add("third"));

        budget.Release(90);

        // 90 bytes serve the first two; the third waits for the next release instead of trying in vain.
        Assert.Equal(["first", "second"], woken);
        budget.Release(10);
        Assert.Equal(["first", "second", "third"], woken);
    }

    [Fact]
    public void A_waiter_whose_bytes_fit_already_is_woken_at_once()
    {
        var budget = new ByteBudget(100);
        Assert.True(budget.TryTake(50));
        var woken = false;

        budget.WakeWhenRoomFor(50, () => woken = true);

        Assert.True(woken);
    }

    [Fact]
    public void Nothing_is_taken_past_the_capacity()
    {
        var budget = new ByteBudget(100);

        Assert.True(budget.TryTake(70));
        Assert.False(budget.TryTake(31));
        Assert.Equal(70, budget.Used);
    }

    [Fact]
    public void An_empty_record_still_weighs_what_carries_it()
    {
        var tombstone = new StoredRecord(0, 0, null, [], [], DateTimeOffset.UtcNow);

        Assert.Equal(StoredRecord.OverheadBytes, tombstone.SizeInBytes);
    }
}
