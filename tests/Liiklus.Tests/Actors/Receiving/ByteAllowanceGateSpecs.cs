using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit.Xunit2;
using Liiklus.Actors.Receiving;
using Liiklus.Storage.Records;
using Xunit;

namespace Liiklus.Tests.Actors.Receiving;

/// <summary>The gate that lets a Receive's records in only as far as the stream's bytes allow.</summary>
public sealed class ByteAllowanceGateSpecs : TestKit
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    // Each record of these specs takes 103 bytes: the record overhead and a 3-byte value.
    private const int RecordBytes = StoredRecord.OverheadBytes + 3;

    [Fact]
    public async Task A_chunk_larger_than_the_allowance_goes_through_in_parts_as_the_stream_gives_bytes_back_and_all_before_completion()
    {
        var allowance = new StreamByteAllowance(2 * RecordBytes, ByteBudget.Unbounded());
        var gated = Gate(allowance, Records(0, 5));

        var first = await gated.PullAsync().WaitAsync(Deadline);
        var second = gated.PullAsync();
        Assert.Equal(2 * RecordBytes, allowance.Held);
        Assert.False(second.IsCompleted);
        allowance.Release(first.Value!.Bytes);
        var secondChunk = (await second.WaitAsync(Deadline)).Value!;
        allowance.Release(secondChunk.Bytes);
        var third = (await gated.PullAsync().WaitAsync(Deadline)).Value!;
        var end = await gated.PullAsync().WaitAsync(Deadline);

        Assert.Equal([0L, 1L], first.Value.Records.Select(r => r.Offset));
        Assert.Equal(2 * RecordBytes, first.Value.Bytes);
        Assert.Equal([2L, 3L], secondChunk.Records.Select(r => r.Offset));
        Assert.Equal([4L], third.Records.Select(r => r.Offset));
        Assert.Equal(RecordBytes, third.Bytes);
        Assert.False(end.HasValue);
    }

    [Fact]
    public async Task A_record_larger_than_the_whole_allowance_goes_through_alone_once_the_stream_holds_nothing()
    {
        var allowance = new StreamByteAllowance(RecordBytes / 2, ByteBudget.Unbounded());
        var gated = Gate(allowance, Records(0, 2));

        var first = (await gated.PullAsync().WaitAsync(Deadline)).Value!;
        var second = gated.PullAsync();
        Assert.False(second.IsCompleted);
        allowance.Release(first.Bytes);

        Assert.Equal([0L], first.Records.Select(r => r.Offset));
        Assert.Equal([1L], (await second.WaitAsync(Deadline)).Value!.Records.Select(r => r.Offset));
    }

    [Fact]
    public async Task Records_wait_for_the_node_budget_and_go_through_once_another_stream_returns_bytes()
    {
        var node = new ByteBudget(RecordBytes);
        var other = new StreamByteAllowance(RecordBytes, node);
        Assert.True(other.TryTake(RecordBytes));
        var allowance = new StreamByteAllowance(10 * RecordBytes, node);
        var gated = Gate(allowance, Records(0, 1));

        var pulled = gated.PullAsync();
        Assert.False(pulled.IsCompleted);
        other.Release(RecordBytes);

        Assert.Equal([0L], (await pulled.WaitAsync(Deadline)).Value!.Records.Select(r => r.Offset));
        Assert.Equal(RecordBytes, node.Used);
    }

    private ISinkQueue<ChargedChunk> Gate(StreamByteAllowance allowance, IReadOnlyList<StoredRecord> chunk) =>
        Source.Single(chunk)
            .Via(new ByteAllowanceGate(allowance))
            .RunWith(Sink.Queue<ChargedChunk>().WithAttributes(Attributes.CreateInputBuffer(1, 1)), Sys.Materializer());

    private static StoredRecord[] Records(long from, int count) =>
        Enumerable.Range(0, count).Select(i => new StoredRecord(0, from + i, null, [1, 2, 3], [], DateTimeOffset.UtcNow)).ToArray();
}
