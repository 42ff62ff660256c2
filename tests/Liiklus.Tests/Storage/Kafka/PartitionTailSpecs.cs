using Confluent.Kafka;
using Liiklus.Storage;
using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Kafka;
using Xunit;

namespace Liiklus.Tests.Storage.Kafka;

/// <summary>One partition's shared window: what it holds, who it places inside it, whom it wakes, what it gives back.</summary>
public sealed class PartitionTailSpecs
{
    // Each record of these specs takes 103 bytes of a window: the record overhead and a 3-byte value.
    private const int RecordBytes = StoredRecord.OverheadBytes + 3;

    [Fact]
    public void Readers_are_placed_only_once_the_fetch_start_is_known_and_woken_when_it_is()
    {
        var tail = new PartitionTail(new TopicPartition("t", 0), () => long.MaxValue, ByteBudget.Unbounded());
        var woken = 0;

        Assert.Equal(JoinResult.NotYet, tail.Join(5, () => woken++, out _));
        tail.Resolve(5);

        Assert.Equal(1, woken);
        Assert.Equal(JoinResult.Joined, tail.Join(5, () => { }, out _));
        Assert.Equal(JoinResult.Outside, tail.Join(4, () => { }, out _));
        Assert.Equal(JoinResult.Outside, tail.Join(6, () => { }, out _));
    }

    [Fact]
    public void A_reader_at_the_end_gets_nothing_and_is_woken_by_the_next_append_that_it_then_reads()
    {
        var tail = Resolved(at: 0);
        var woken = 0;
        Assert.Equal(JoinResult.Joined, tail.Join(0, () => woken++, out var sequence));

        Assert.Empty(tail.Read(ref sequence, 10, () => woken++)!);
        tail.Append(Records(0, 3));

        Assert.Equal(1, woken);
        Assert.Equal([0L, 1L, 2L], tail.Read(ref sequence, 10, () => { })!.Select(r => r.Offset));
    }

    [Fact]
    public void Records_the_window_already_holds_are_not_appended_again()
    {
        var tail = Resolved(at: 0);
        tail.Append(Records(0, 3));
        tail.Append(Records(1, 4));
        tail.Join(0, () => { }, out var sequence);

        Assert.Equal([0L, 1L, 2L, 3L, 4L], tail.Read(ref sequence, 10, () => { })!.Select(r => r.Offset));
        Assert.Equal((0L, 5L, 5L * RecordBytes, 5), tail.Window);
    }

    [Fact]
    public void A_full_window_gives_up_its_oldest_records_and_a_reader_that_needed_them_is_told_it_is_behind()
    {
        var windows = new ByteBudget(100 * RecordBytes);
        var tail = new PartitionTail(new TopicPartition("t", 0), () => 3 * RecordBytes, windows);
        tail.Resolve(0);
        tail.Join(0, () => { }, out var slow);

        tail.Append(Records(0, 5));

        Assert.Null(tail.Read(ref slow, 10, () => { }));
        Assert.Equal((2L, 5L, 3L * RecordBytes, 3), tail.Window);
        Assert.Equal(3 * RecordBytes, windows.Used);
        Assert.Equal(JoinResult.Outside, tail.Join(1, () => { }, out _));
    }

    [Fact]
    public void A_record_larger_than_the_window_is_kept_alone_for_the_readers_at_the_end()
    {
        var tail = new PartitionTail(new TopicPartition("t", 0), () => RecordBytes / 2, ByteBudget.Unbounded());
        tail.Resolve(0);
        tail.Append(Records(0, 2));
        tail.Join(1, () => { }, out var sequence);

        Assert.Equal([1L], tail.Read(ref sequence, 10, () => { })!.Select(r => r.Offset));
    }

    [Fact]
    public void The_window_gives_its_bytes_back_to_the_nodes_windows_when_cleared()
    {
        var windows = new ByteBudget(100 * RecordBytes);
        var tail = new PartitionTail(new TopicPartition("t", 0), () => long.MaxValue, windows);
        tail.Resolve(0);
        tail.Append(Records(0, 4));

        tail.Clear();

        Assert.Equal(0, windows.Used);
        Assert.Equal(0, tail.Window!.Value.Records);
    }

    [Fact]
    public void After_a_failure_joining_answers_failed_and_each_read_throws_the_cause()
    {
        var tail = Resolved(at: 0);
        tail.Join(0, () => { }, out var sequence);
        var woken = 0;
        tail.WakeOnAppend(() => woken++);

        tail.Fail(new InvalidOperationException("the broker said no"));

        Assert.Equal(1, woken);
        Assert.Equal(JoinResult.Failed, tail.Join(0, () => { }, out _));
        var thrown = Assert.Throws<StorageUnavailableException>(() => tail.Read(ref sequence, 10, () => { }));
        Assert.Contains("the broker said no", thrown.Message);
    }

    [Fact]
    public void A_reader_that_left_is_not_woken_by_later_appends()
    {
        var tail = Resolved(at: 0);
        var woken = 0;
        void Wake() => woken++;
        tail.WakeOnAppend(Wake);

        tail.Forget(Wake);
        tail.Append(Records(0, 1));

        Assert.Equal(0, woken);
    }

    [Fact]
    public void History_read_up_to_the_window_start_goes_before_it_and_wakes_the_readers_waiting_for_it()
    {
        var tail = Resolved(at: 5);
        tail.Append(Records(5, 2));
        Assert.Equal(JoinResult.Joined, tail.Join(6, () => { }, out var atTail));
        var woken = 0;
        tail.WakeOnAppend(() => woken++);

        tail.Prepend(0, Records(0, 6));

        Assert.Equal(1, woken);
        Assert.Equal((0L, 7L, 7L * RecordBytes, 7), tail.Window);
        Assert.Equal(JoinResult.Joined, tail.Join(2, () => { }, out var behind));
        Assert.Equal([2L, 3L, 4L, 5L, 6L], tail.Read(ref behind, 10, () => { })!.Select(r => r.Offset));
        Assert.Equal([6L], tail.Read(ref atTail, 10, () => { })!.Select(r => r.Offset));
    }

    [Fact]
    public void History_that_stops_short_of_the_window_start_or_does_not_fit_stays_out()
    {
        var tail = new PartitionTail(new TopicPartition("t", 0), () => 4 * RecordBytes, ByteBudget.Unbounded());
        tail.Resolve(10);
        tail.Append(Records(10, 2));

        tail.Prepend(0, Records(0, 9));
        tail.Prepend(5, Records(5, 5));

        Assert.Equal((10L, 12L, 2L * RecordBytes, 2), tail.Window);
        tail.Prepend(8, Records(8, 2));
        Assert.Equal((8L, 12L, 4L * RecordBytes, 4), tail.Window);
    }

    [Fact]
    public void The_earliest_offset_is_known_only_while_a_log_start_seen_before_lies_inside_the_window()
    {
        var tail = new PartitionTail(new TopicPartition("t", 0), () => 3 * RecordBytes, ByteBudget.Unbounded());
        Assert.Null(tail.EarliestInWindow());
        tail.Resolve(10);
        tail.Append(Records(10, 2));

        // Nothing seen yet: the partition may start anywhere up to the window's end.
        Assert.Null(tail.EarliestInWindow());
        tail.SawLogStart(4);
        Assert.Null(tail.EarliestInWindow());
        tail.SawLogStart(11);
        Assert.Equal(11L, tail.EarliestInWindow());
        // An older answer arriving late never moves the start back.
        tail.SawLogStart(4);
        Assert.Equal(11L, tail.EarliestInWindow());

        // The window let go of the record at the log start: where the partition starts now is not known without I/O.
        tail.Append(Records(12, 2));
        Assert.Equal((11L, 14L, 3L * RecordBytes, 3), tail.Window);
        Assert.Equal(11L, tail.EarliestInWindow());
        tail.Append(Records(14, 1));
        Assert.Null(tail.EarliestInWindow());
    }

    [Fact]
    public void A_partition_that_ended_at_0_when_its_tail_started_starts_at_0()
    {
        var tail = Resolved(at: 0);
        tail.Append(Records(0, 3));

        Assert.Equal(0L, tail.EarliestInWindow());
        Assert.Null(Resolved(at: 5).EarliestInWindow());
    }

    private static PartitionTail Resolved(long at)
    {
        var tail = new PartitionTail(new TopicPartition("t", 0), () => long.MaxValue, ByteBudget.Unbounded());
        tail.Resolve(at);
        return tail;
    }

    private static StoredRecord[] Records(long from, int count) =>
        Enumerable.Range(0, count).Select(i => new StoredRecord(0, from + i, null, [1, 2, 3], [], DateTimeOffset.UtcNow)).ToArray();
}
