using Liiklus.Storage.Records;
using Xunit;

namespace Liiklus.Tests.Storage;

public sealed class ByteBudgetSpecs
{
    [Fact]
    public void Release_grants_waiters_in_order_as_far_as_the_released_bytes_go()
    {
        var budget = new ByteBudget(100);
        Assert.True(budget.TryTake(100));
        var first = new Waiter("first");
        var second = new Waiter("second");
        var third = new Waiter("third");
        budget.Enqueue(first, 60);
        budget.Enqueue(second, 30);
        budget.Enqueue(third, 30);

        budget.Release(90);

        // 90 bytes serve the first two; the third waits for the next release instead of trying in vain.
        Assert.Equal((60, 30, 0), (first.Granted, second.Granted, third.Granted));
        Assert.Equal(100, budget.Used);
        budget.Release(30);
        Assert.Equal(30, third.Granted);
    }

    [Fact]
    public void A_waiter_whose_bytes_fit_already_is_granted_at_once()
    {
        var budget = new ByteBudget(100);
        Assert.True(budget.TryTake(50));
        var waiter = new Waiter("only");

        budget.Enqueue(waiter, 50);

        Assert.Equal(50, waiter.Granted);
        Assert.Equal(100, budget.Used);
    }

    [Fact]
    public void A_cancelled_waiter_lets_the_one_behind_it_through()
    {
        var budget = new ByteBudget(100);
        Assert.True(budget.TryTake(100));
        var gone = new Waiter("gone");
        var next = new Waiter("next");
        budget.Enqueue(gone, 100);
        budget.Enqueue(next, 100);

        budget.Cancel(gone);
        budget.Release(100);

        Assert.Equal((0, 100), (gone.Granted, next.Granted));
        Assert.Equal(0, budget.Waiting);
    }

    [Fact]
    public void A_newcomer_does_not_take_what_a_waiter_waits_for()
    {
        var budget = new ByteBudget(100);
        Assert.True(budget.TryTake(80));
        var waiter = new Waiter("large");
        budget.Enqueue(waiter, 50);

        Assert.False(budget.TryTake(10));
        budget.Release(80);

        Assert.Equal(50, waiter.Granted);
        Assert.True(budget.TryTake(50));
    }

    [Fact]
    public void Queueing_again_changes_what_a_waiter_waits_for_and_keeps_its_place()
    {
        var budget = new ByteBudget(100);
        Assert.True(budget.TryTake(100));
        var first = new Waiter("first");
        var second = new Waiter("second");
        budget.Enqueue(first, 90);
        budget.Enqueue(second, 10);

        budget.Enqueue(first, 20);
        budget.Release(30);

        Assert.Equal((20, 10), (first.Granted, second.Granted));
    }

    [Fact]
    public void A_chunk_larger_than_the_budget_passes_alone()
    {
        var budget = new ByteBudget(100);

        Assert.True(budget.TryTake(150));
        Assert.False(budget.TryTake(1));
        budget.Release(150);
        Assert.Equal(0, budget.Used);
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

    private sealed class Waiter(string name) : IByteBudgetWaiter
    {
        public long Granted { get; private set; }

        public override string ToString() => name;

        void IByteBudgetWaiter.Granted(long bytes) => Granted += bytes;
    }
}
