using System.Buffers.Binary;
using Liiklus.Storage.Cold;
using Liiklus.Storage.Cold.Format;
using Xunit;

namespace Liiklus.Tests.Storage.Cold;

/// <summary>Segment format 1: what the writer writes, what the reader refuses.</summary>
public sealed class ColdSegmentFormatSpecs
{
    private const string Topic = "orders";

    [Fact]
    public void A_segment_reads_back_block_by_block_with_every_field()
    {
        var records = ColdRecords.At(ColdRecords.LongRange(1_000, 3_000).Where(offset => offset % 3 != 0), valueBytes: 100);
        var bytes = ColdSegmentWriter.Write(Topic, 4, 1_000, 3_001, records, blockBytes: 8 * 1024);

        var index = Index(bytes, 1_000, 3_001, partition: 4);

        Assert.True(index.Blocks.Count > 10, $"{index.Blocks.Count} blocks");
        Assert.All(index.Blocks.SkipLast(1), block => Assert.InRange(block.UncompressedLength, 8 * 1024, (8 * 1024) + 400));
        var read = index.Blocks.SelectMany(block => ColdSegmentReader.ReadBlock(index, block.Index, Slice(bytes, block)).Records).ToList();
        ColdRecords.Equal(records, read);
        Assert.Equal(ColdSegmentLayout.FormatVersion, index.FormatVersion);
    }

    [Fact]
    public void The_same_records_make_the_same_bytes()
    {
        var records = ColdRecords.Range(0, 500);

        Assert.Equal(ColdSegmentWriter.Write(Topic, 0, 0, 500, records, 4096), ColdSegmentWriter.Write(Topic, 0, 0, 500, ColdRecords.Range(0, 500), 4096));
    }

    [Fact]
    public void A_record_larger_than_a_block_makes_a_block_of_its_own()
    {
        var records = ColdRecords.At([0, 3, 4], valueBytes: 10_000);
        var bytes = ColdSegmentWriter.Write(Topic, 0, 0, 5, records, blockBytes: 1_000);

        var index = Index(bytes, 0, 5);

        Assert.Equal([1, 1, 1], index.Blocks.Select(block => block.RecordCount));
        Assert.Equal(1, index.BlockOf(1));
        ColdRecords.Equal([records[2]], ColdSegmentReader.ReadBlock(index, 2, Slice(bytes, index.Blocks[2])).Records);
    }

    [Fact]
    public void Block_of_an_offset_is_the_block_of_the_first_record_at_or_after_it()
    {
        var records = ColdRecords.At([10, 20, 30, 40]);
        var bytes = ColdSegmentWriter.Write(Topic, 0, 5, 50, records, blockBytes: 1);

        var index = Index(bytes, 5, 50);

        Assert.Equal([0, 0, 1, 1, 3, -1], new long[] { 5, 10, 11, 20, 35, 41 }.Select(index.BlockOf));
    }

    [Fact]
    public void Records_out_of_order_or_outside_the_range_are_refused()
    {
        Assert.Contains("record offset 5 is not in [0, 10) after offset 6", Assert.Throws<ArgumentException>(() =>
            ColdSegmentWriter.Write(Topic, 0, 0, 10, ColdRecords.At([6, 5]))).Message);
        Assert.Contains("record offset 10 is not in [0, 10)", Assert.Throws<ArgumentException>(() =>
            ColdSegmentWriter.Write(Topic, 0, 0, 10, ColdRecords.At([10]))).Message);
        Assert.Contains("[7, 7) is not a range", Assert.Throws<ArgumentException>(() =>
            ColdSegmentWriter.Write(Topic, 0, 7, 7, [])).Message);
    }

    [Fact]
    public void A_changed_block_byte_fails_its_checksum()
    {
        var bytes = ColdSegmentWriter.Write(Topic, 0, 0, 200, ColdRecords.Range(0, 200), blockBytes: 1024);
        var index = Index(bytes, 0, 200);
        bytes[index.Blocks[1].Position + 3] ^= 1;

        var corrupt = Assert.Throws<ColdSegmentCorruptException>(() => ColdSegmentReader.ReadBlock(index, 1, Slice(bytes, index.Blocks[1])));

        Assert.StartsWith($"cold segment '{index.Segment.Key}' block 1 is corrupt: checksum mismatch", corrupt.Message);
        Assert.Equal(1, corrupt.Block);
    }

    [Fact]
    public void A_block_cut_short_is_refused()
    {
        var bytes = ColdSegmentWriter.Write(Topic, 0, 0, 200, ColdRecords.Range(0, 200), blockBytes: 1024);
        var index = Index(bytes, 0, 200);

        var corrupt = Assert.Throws<ColdSegmentCorruptException>(() => ColdSegmentReader.ReadBlock(index, 0, Slice(bytes, index.Blocks[0])[..^1]));

        Assert.Contains("where the footer says", corrupt.Message);
    }

    [Fact]
    public void A_changed_footer_byte_fails_the_footer_checksum()
    {
        var bytes = ColdSegmentWriter.Write(Topic, 0, 0, 20, ColdRecords.Range(0, 20));
        bytes[^(ColdSegmentLayout.TrailerLength + 2)] ^= 0x10;

        var corrupt = Assert.Throws<ColdSegmentCorruptException>(() => Index(bytes, 0, 20));

        Assert.Contains("footer checksum mismatch", corrupt.Message);
        Assert.Null(corrupt.Block);
    }

    [Fact]
    public void An_unknown_format_version_is_refused_naming_it()
    {
        var bytes = ColdSegmentWriter.Write(Topic, 0, 0, 20, ColdRecords.Range(0, 20));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(bytes.Length - 8), 2);

        var corrupt = Assert.Throws<ColdSegmentCorruptException>(() => Index(bytes, 0, 20));

        Assert.Contains("format version 2, and this reader knows version 1 only", corrupt.Message);
    }

    [Fact]
    public void A_truncated_segment_or_another_range_under_its_key_is_refused()
    {
        var bytes = ColdSegmentWriter.Write(Topic, 0, 0, 20, ColdRecords.Range(0, 20));

        Assert.Contains("does not end with LKCS", Assert.Throws<ColdSegmentCorruptException>(() => Index(bytes[..^3], 0, 20)).Message);
        Assert.Contains("names topic 'orders' partition 0 [0, 20)", Assert.Throws<ColdSegmentCorruptException>(() => Index(bytes, 0, 21)).Message);
    }

    [Fact]
    public void A_footer_longer_than_the_first_fetch_asks_for_the_bytes_it_needs()
    {
        var bytes = ColdSegmentWriter.Write(Topic, 0, 0, 100, ColdRecords.Range(0, 100), blockBytes: 1);
        var segment = Segment(bytes, 0, 100);

        Assert.False(ColdSegmentReader.TryReadIndex(segment, bytes.AsSpan(bytes.Length - 100), out _, out var needed));
        Assert.True(ColdSegmentReader.TryReadIndex(segment, bytes.AsSpan(bytes.Length - needed), out var index, out _));
        Assert.Equal(100, index!.Blocks.Count);
    }

    private static ColdSegment Segment(byte[] bytes, long baseOffset, long nextOffset, int partition = 0) =>
        new(Topic, partition, baseOffset, nextOffset, ColdKeys.Segment(Topic, partition, baseOffset, nextOffset), bytes.Length);

    private static ColdSegmentIndex Index(byte[] bytes, long baseOffset, long nextOffset, int partition = 0)
    {
        Assert.True(ColdSegmentReader.TryReadIndex(Segment(bytes, baseOffset, nextOffset, partition), bytes, out var index, out _));
        return index!;
    }

    private static byte[] Slice(byte[] bytes, ColdBlockInfo block) => bytes.AsSpan((int)block.Position, block.CompressedLength).ToArray();
}
