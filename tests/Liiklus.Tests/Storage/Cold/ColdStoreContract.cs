using Liiklus.Storage.Cold;
using Xunit;

namespace Liiklus.Tests.Storage.Cold;

/// <summary>What every cold store must do; each store runs it by deriving from it.</summary>
public abstract class ColdStoreContract
{
    /// <summary>Small blocks, so that a segment of a few hundred records has many.</summary>
    protected const int SmallBlockBytes = 4 * 1024;

    private readonly Lazy<IColdStore> _store;

    protected ColdStoreContract() => _store = new Lazy<IColdStore>(() => CreateStore(SmallBlockBytes));

    protected IColdStore Store => _store.Value;

    /// <param name="blockBytes">uncompressed bytes after which the store closes a block</param>
    protected abstract IColdStore CreateStore(int blockBytes);

    /// <summary>Requests the store under test has made to its server so far (fetches, for the memory store).</summary>
    protected abstract long Fetches { get; }

    /// <summary>Changes one stored byte of a segment, behind the store's back.</summary>
    protected abstract Task CorruptAsync(ColdSegment segment, long position);

    protected static string NewTopic() => $"topic-{Guid.NewGuid():N}";

    [Fact]
    public async Task Every_record_field_survives_a_round_trip()
    {
        var topic = NewTopic();
        // Holes in the offsets, as compaction and transaction markers leave them; the range runs past the last record.
        var records = ColdRecords.At(ColdRecords.LongRange(10, 400).Where(offset => offset % 5 != 4), valueBytes: 64);

        var written = await Store.WriteSegmentAsync(topic, 3, 10, 402, records, CancellationToken.None);

        Assert.Equal(new ColdWriteResult(ColdWriteOutcome.Written, 402), written);
        var segment = Assert.IsType<ColdSegment>(await Store.FindAsync(topic, 3, 10, CancellationToken.None));
        Assert.Equal((topic, 3, 10L, 402L), (segment.Topic, segment.Partition, segment.BaseOffset, segment.NextOffset));
        ColdRecords.Equal(records, await Store.ReadRecordsAsync(segment, 0).ToListAsync());
        var index = await Store.ReadIndexAsync(segment, CancellationToken.None);
        Assert.Equal(records.Count, index.RecordCount);
        Assert.Equal(records.Min(record => record.Timestamp), index.MinTimestamp);
        Assert.Equal(records.Max(record => record.Timestamp), index.MaxTimestamp);
        Assert.True(index.Blocks.Count > 3, $"{index.Blocks.Count} blocks of at most {SmallBlockBytes} bytes");
    }

    [Fact]
    public async Task A_range_without_records_is_archived_and_read_as_empty()
    {
        var topic = NewTopic();

        await Store.WriteSegmentAsync(topic, 0, 0, 5, [], CancellationToken.None);

        var segment = Assert.IsType<ColdSegment>(await Store.FindAsync(topic, 0, 4, CancellationToken.None));
        Assert.Empty(await Store.ReadRecordsAsync(segment, 0).ToListAsync());
        Assert.Equal(5, await Store.GetArchivedNextAsync(topic, 0, CancellationToken.None));
    }

    [Fact]
    public async Task The_same_range_written_twice_is_one_copy()
    {
        var topic = NewTopic();
        var records = ColdRecords.Range(0, 100);

        var first = await Store.WriteSegmentAsync(topic, 0, 0, 100, records, CancellationToken.None);
        var retried = await Store.WriteSegmentAsync(topic, 0, 0, 100, records, CancellationToken.None);

        Assert.Equal(ColdWriteOutcome.Written, first.Outcome);
        Assert.Equal(new ColdWriteResult(ColdWriteOutcome.AlreadyArchived, 100), retried);
        var segment = Assert.IsType<ColdSegment>(Assert.Single(await Store.ListAsync(topic, 0, 0, CancellationToken.None).ToListAsync()));
        ColdRecords.Equal(records, await Store.ReadRecordsAsync(segment, 0).ToListAsync());
    }

    [Fact]
    public async Task Racing_writers_of_overlapping_ranges_leave_one_range_that_every_winner_was_told_of()
    {
        var topic = NewTopic();
        await Store.WriteSegmentAsync(topic, 0, 0, 50, ColdRecords.Range(0, 50), CancellationToken.None);
        // Archivers cutting at different points (by time, say), and two retrying the same cut.
        long[] cuts = [80, 100, 100, 120, 150, 90];
        var start = new TaskCompletionSource();

        var writes = cuts.Select(async next =>
        {
            await start.Task;
            return (Next: next, Result: await Store.WriteSegmentAsync(topic, 0, 50, next, ColdRecords.Range(50, next), CancellationToken.None));
        }).ToList();
        start.SetResult();
        var results = await Task.WhenAll(writes);

        var ranges = await Store.ListAsync(topic, 0, 0, CancellationToken.None).ToListAsync();
        Assert.Equal(2, ranges.Count);
        var archived = ranges[1].NextOffset;
        Assert.Equal(50, ranges[1].BaseOffset);
        Assert.All(
            results,
            write => Assert.True(
                write.Result.Outcome == ColdWriteOutcome.Conflict ? write.Next != archived : write.Next == archived,
                $"a write of [50, {write.Next}) answered {write.Result} while [50, {archived}) is archived"));
        Assert.Contains(results, write => write.Result.Outcome == ColdWriteOutcome.Written);
        Assert.Equal(archived, await Store.GetArchivedNextAsync(topic, 0, CancellationToken.None));
        ColdRecords.Equal(ColdRecords.Range(50, archived), await Store.ReadRecordsAsync((ColdSegment)ranges[1], 0).ToListAsync());
    }

    [Fact]
    public async Task A_write_overlapping_or_leaving_a_hole_is_refused_with_where_to_resume()
    {
        var topic = NewTopic();
        await Store.WriteSegmentAsync(topic, 0, 0, 100, ColdRecords.Range(0, 100), CancellationToken.None);

        var overlapping = await Store.WriteSegmentAsync(topic, 0, 50, 150, ColdRecords.Range(50, 150), CancellationToken.None);
        var holeLeaving = await Store.WriteSegmentAsync(topic, 0, 101, 150, ColdRecords.Range(101, 150), CancellationToken.None);
        var gapOverSegment = await Store.WriteGapAsync(topic, 0, 0, 100, CancellationToken.None);

        Assert.Equal(new ColdWriteResult(ColdWriteOutcome.Conflict, 100), overlapping);
        Assert.Equal(new ColdWriteResult(ColdWriteOutcome.Conflict, 100), holeLeaving);
        Assert.Equal(new ColdWriteResult(ColdWriteOutcome.Conflict, 100), gapOverSegment);
        Assert.Single(await Store.ListAsync(topic, 0, 0, CancellationToken.None).ToListAsync());
    }

    [Fact]
    public async Task Find_answers_the_segment_or_gap_covering_an_offset_and_resume_starts_after_the_last_range()
    {
        var topic = NewTopic();
        Assert.Null(await Store.GetArchivedNextAsync(topic, 1, CancellationToken.None));
        await Store.WriteSegmentAsync(topic, 1, 0, 100, ColdRecords.Range(0, 100), CancellationToken.None);
        var gap = await Store.WriteGapAsync(topic, 1, 100, 150, CancellationToken.None);
        await Store.WriteSegmentAsync(topic, 1, 150, 300, ColdRecords.Range(150, 300), CancellationToken.None);

        Assert.Equal(new ColdWriteResult(ColdWriteOutcome.Written, 150), gap);
        Assert.Equal(new ColdWriteResult(ColdWriteOutcome.AlreadyArchived, 300), await Store.WriteGapAsync(topic, 1, 100, 150, CancellationToken.None));
        Assert.Equal((0L, 100L), Range(Assert.IsType<ColdSegment>(await Store.FindAsync(topic, 1, 0, CancellationToken.None))));
        Assert.Equal((0L, 100L), Range(Assert.IsType<ColdSegment>(await Store.FindAsync(topic, 1, 99, CancellationToken.None))));
        Assert.Equal(new ColdGap(topic, 1, 100, 150), await Store.FindAsync(topic, 1, 100, CancellationToken.None));
        Assert.Equal(new ColdGap(topic, 1, 100, 150), await Store.FindAsync(topic, 1, 149, CancellationToken.None));
        Assert.Equal((150L, 300L), Range(Assert.IsType<ColdSegment>(await Store.FindAsync(topic, 1, 299, CancellationToken.None))));
        Assert.Null(await Store.FindAsync(topic, 1, 300, CancellationToken.None));
        Assert.Null(await Store.FindAsync(topic, 0, 0, CancellationToken.None));
        Assert.Equal(300, await Store.GetArchivedNextAsync(topic, 1, CancellationToken.None));
    }

    [Fact]
    public async Task Listing_answers_the_ranges_ending_after_an_offset_in_order_and_the_partitions_held()
    {
        var topic = NewTopic();
        for (var partition = 2; partition >= 0; partition--)
        {
            await Store.WriteSegmentAsync(topic, partition, 0, 10, ColdRecords.Range(0, 10), CancellationToken.None);
        }

        await Store.WriteGapAsync(topic, 0, 10, 20, CancellationToken.None);
        await Store.WriteSegmentAsync(topic, 0, 20, 30, ColdRecords.Range(20, 30), CancellationToken.None);
        var otherTopic = NewTopic();
        await Store.WriteGapAsync(otherTopic, 7, 0, 1, CancellationToken.None);

        Assert.Equal(
            [(0L, 10L, "segment"), (10L, 20L, "gap"), (20L, 30L, "segment")],
            (await Store.ListAsync(topic, 0, 0, CancellationToken.None).ToListAsync()).Select(Kind));
        Assert.Equal(
            [(10L, 20L, "gap"), (20L, 30L, "segment")],
            (await Store.ListAsync(topic, 0, 10, CancellationToken.None).ToListAsync()).Select(Kind));
        Assert.Empty(await Store.ListAsync(topic, 0, 30, CancellationToken.None).ToListAsync());
        Assert.Equal(
            [new ColdPartition(topic, 0), new ColdPartition(topic, 1), new ColdPartition(topic, 2)],
            await Store.ListPartitionsAsync(topic, CancellationToken.None));
        var all = await Store.ListPartitionsAsync(null, CancellationToken.None);
        Assert.Contains(new ColdPartition(otherTopic, 7), all);
        Assert.Contains(new ColdPartition(topic, 2), all);
        Assert.All(
            (await Store.ListAsync(topic, 0, 0, CancellationToken.None).ToListAsync()).OfType<ColdSegment>(),
            segment => Assert.True(segment.Bytes > 0, $"{segment.Key} lists {segment.Bytes} bytes"));
    }

    [Fact]
    public async Task Reading_from_an_offset_fetches_the_footer_and_only_the_blocks_from_there()
    {
        var topic = NewTopic();
        var records = ColdRecords.Range(0, 2_000, valueBytes: 64);
        await Store.WriteSegmentAsync(topic, 0, 0, 2_000, records, CancellationToken.None);
        var segment = Assert.IsType<ColdSegment>(await Store.FindAsync(topic, 0, 0, CancellationToken.None));
        var before = Fetches;
        var index = await Store.ReadIndexAsync(segment, CancellationToken.None);
        Assert.Equal(1, Fetches - before);
        var block = index.BlockOf(1_990);
        Assert.Equal(index.Blocks.Count - 1, block);
        Assert.True(index.Blocks.Count >= 20, $"{index.Blocks.Count} blocks");

        before = Fetches;
        var read = await Store.ReadBlockAsync(index, block, CancellationToken.None);
        var middle = await Store.ReadBlockAsync(index, index.BlockOf(1_000), CancellationToken.None);

        Assert.Equal(2, Fetches - before);
        Assert.Equal(new ColdBlockId(segment.Key, block), read.Id);
        ColdRecords.Equal(records.Where(record => record.Offset >= index.Blocks[block].FirstOffset).ToList(), read.Records);
        Assert.Contains(middle.Records, record => record.Offset == 1_000);
        ColdRecords.Equal(records.Skip(1_990).ToList(), await Store.ReadRecordsAsync(segment, 1_990).ToListAsync());
    }

    [Fact]
    public async Task A_changed_byte_in_a_block_fails_its_read_naming_segment_and_block()
    {
        var topic = NewTopic();
        await Store.WriteSegmentAsync(topic, 0, 0, 500, ColdRecords.Range(0, 500), CancellationToken.None);
        var segment = Assert.IsType<ColdSegment>(await Store.FindAsync(topic, 0, 0, CancellationToken.None));
        var index = await Store.ReadIndexAsync(segment, CancellationToken.None);

        await CorruptAsync(segment, index.Blocks[2].Position + 5);

        var corrupt = await Assert.ThrowsAsync<ColdSegmentCorruptException>(() => Store.ReadBlockAsync(index, 2, CancellationToken.None));
        Assert.Equal((segment.Key, 2), (corrupt.SegmentKey, corrupt.Block));
        Assert.Contains("checksum mismatch", corrupt.Message);
        Assert.Equal(3, (await Store.ReadBlockAsync(index, 3, CancellationToken.None)).Id.Index);
    }

    [Fact]
    public async Task A_changed_byte_in_the_footer_fails_the_index_read()
    {
        var topic = NewTopic();
        await Store.WriteSegmentAsync(topic, 0, 0, 50, ColdRecords.Range(0, 50), CancellationToken.None);
        var segment = Assert.IsType<ColdSegment>(await Store.FindAsync(topic, 0, 0, CancellationToken.None));

        await CorruptAsync(segment, segment.Bytes - 20);

        var corrupt = await Assert.ThrowsAsync<ColdSegmentCorruptException>(() => Store.ReadIndexAsync(segment, CancellationToken.None));
        Assert.Equal((segment.Key, (int?)null), (corrupt.SegmentKey, corrupt.Block));
        Assert.Contains("footer checksum mismatch", corrupt.Message);
    }

    private static (long, long) Range(ColdRange range) => (range.BaseOffset, range.NextOffset);

    private static (long, long, string) Kind(ColdRange range) =>
        (range.BaseOffset, range.NextOffset, range is ColdSegment ? "segment" : "gap");
}
