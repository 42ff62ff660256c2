using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using K4os.Compression.LZ4;

namespace Liiklus.Storage.Cold.Format;

/// <summary>
/// Reads a segment written in <see cref="ColdSegmentLayout"/>: its footer from the segment's last bytes, then any one
/// block from that block's bytes alone. Every check that fails is a <see cref="ColdSegmentCorruptException"/>.
/// </summary>
public static class ColdSegmentReader
{
    /// <summary>How many bytes from the end a first fetch takes: the footer of a segment of a few thousand blocks.</summary>
    public const int TailGuess = 64 * 1024;

    /// <summary>
    /// A segment's index from a store that fetches byte ranges: the tail by a guess, then, when the footer is longer,
    /// exactly the length its trailer gives; at most two fetches.
    /// </summary>
    public static async Task<ColdSegmentIndex> FetchIndexAsync(ColdSegment segment, Func<long, int, Task<byte[]>> fetchRange)
    {
        var take = (int)Math.Min(TailGuess, segment.Bytes);
        var tail = await fetchRange(segment.Bytes - take, take).ConfigureAwait(false);
        if (TryReadIndex(segment, tail, out var index, out var needed))
        {
            return index!;
        }

        tail = await fetchRange(segment.Bytes - needed, needed).ConfigureAwait(false);
        return TryReadIndex(segment, tail, out index, out _)
            ? index!
            : throw new ColdSegmentCorruptException(segment.Key, null, "its footer does not fit the length its trailer gives");
    }

    /// <summary>One block of a segment from a store that fetches byte ranges: one fetch of that block's bytes only.</summary>
    public static async Task<ColdBlock> FetchBlockAsync(ColdSegmentIndex index, int block, Func<long, int, Task<byte[]>> fetchRange)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(block);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(block, index.Blocks.Count);
        var info = index.Blocks[block];
        return ReadBlock(index, block, await fetchRange(info.Position, info.CompressedLength).ConfigureAwait(false));
    }

    /// <summary>
    /// The segment's index, from its last bytes (<paramref name="tail"/>, at most the whole segment); false with the
    /// number of last bytes needed when <paramref name="tail"/> is too short for the footer.
    /// </summary>
    /// <exception cref="ColdSegmentCorruptException">the trailer or footer fail their checks, or name another range</exception>
    public static bool TryReadIndex(ColdSegment segment, ReadOnlySpan<byte> tail, out ColdSegmentIndex? index, out int needed)
    {
        index = null;
        if (tail.Length < ColdSegmentLayout.TrailerLength)
        {
            if (segment.Bytes < ColdSegmentLayout.TrailerLength || tail.Length >= segment.Bytes)
            {
                throw Corrupt(segment, $"{segment.Bytes} bytes, fewer than a trailer");
            }

            needed = ColdSegmentLayout.TrailerLength;
            return false;
        }

        var trailer = tail[^ColdSegmentLayout.TrailerLength..];
        if (!trailer[12..].SequenceEqual(ColdSegmentLayout.Magic))
        {
            throw Corrupt(segment, "its trailer does not end with LKCS: not a segment, or cut short");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(trailer[8..]);
        if (version != ColdSegmentLayout.FormatVersion)
        {
            throw Corrupt(segment, $"format version {version}, and this reader knows version {ColdSegmentLayout.FormatVersion} only");
        }

        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(trailer);
        if (footerLength < 0 || (long)footerLength + ColdSegmentLayout.TrailerLength > segment.Bytes)
        {
            throw Corrupt(segment, $"a footer of {footerLength} bytes in a segment of {segment.Bytes}");
        }

        needed = footerLength + ColdSegmentLayout.TrailerLength;
        if (tail.Length < needed)
        {
            return false;
        }

        var footer = tail[^needed..^ColdSegmentLayout.TrailerLength];
        var expected = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        var actual = Crc32.HashToUInt32(footer);
        if (actual != expected)
        {
            throw Corrupt(segment, $"footer checksum mismatch: stored {expected:x8}, computed {actual:x8}");
        }

        try
        {
            index = ReadFooter(segment, footer, segment.Bytes - needed);
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or FormatException or OverflowException)
        {
            throw Corrupt(segment, $"its footer cannot be read: {e.Message}", e);
        }

        return true;
    }

    /// <summary>One block from its compressed bytes, as <paramref name="index"/> places them.</summary>
    /// <exception cref="ColdSegmentCorruptException">the bytes fail their checksum, or do not decode to what the footer says</exception>
    public static ColdBlock ReadBlock(ColdSegmentIndex index, int block, ReadOnlySpan<byte> compressed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(block);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(block, index.Blocks.Count);
        var info = index.Blocks[block];
        var key = index.Segment.Key;
        if (compressed.Length != info.CompressedLength)
        {
            throw new ColdSegmentCorruptException(key, block, $"{compressed.Length} bytes where the footer says {info.CompressedLength}");
        }

        var checksum = Crc32.HashToUInt32(compressed);
        if (checksum != info.Checksum)
        {
            throw new ColdSegmentCorruptException(key, block, $"checksum mismatch: stored {info.Checksum:x8}, computed {checksum:x8}");
        }

        var payload = new byte[info.UncompressedLength];
        var decoded = LZ4Codec.Decode(compressed, payload);
        if (decoded != info.UncompressedLength)
        {
            throw new ColdSegmentCorruptException(key, block, $"decompressed to {decoded} bytes where the footer says {info.UncompressedLength}");
        }

        try
        {
            var records = ReadRecords(index.Segment.BaseOffset, payload, info.RecordCount);
            if (records.Count == 0 || records[0].Offset != info.FirstOffset || records[^1].Offset != info.LastOffset)
            {
                throw new FormatException($"its records do not span [{info.FirstOffset}, {info.LastOffset}] as the footer says");
            }

            return new ColdBlock(index.BlockId(block), records, info.UncompressedLength);
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or FormatException or OverflowException or ArgumentException)
        {
            throw new ColdSegmentCorruptException(key, block, $"its records cannot be read: {e.Message}", e);
        }
    }

    private static ColdSegmentIndex ReadFooter(ColdSegment segment, ReadOnlySpan<byte> footer, long footerPosition)
    {
        var position = 0;
        var topic = ReadString(footer, ref position);
        var span = footer[position..];
        var partition = BinaryPrimitives.ReadInt32LittleEndian(span);
        var baseOffset = BinaryPrimitives.ReadInt64LittleEndian(span[4..]);
        var nextOffset = BinaryPrimitives.ReadInt64LittleEndian(span[12..]);
        var recordCount = BinaryPrimitives.ReadInt64LittleEndian(span[20..]);
        var minTimestamp = BinaryPrimitives.ReadInt64LittleEndian(span[28..]);
        var maxTimestamp = BinaryPrimitives.ReadInt64LittleEndian(span[36..]);
        var blockCount = BinaryPrimitives.ReadInt32LittleEndian(span[44..]);
        if (topic != segment.Topic || partition != segment.Partition || baseOffset != segment.BaseOffset || nextOffset != segment.NextOffset)
        {
            throw Corrupt(segment, $"its footer names topic '{topic}' partition {partition} [{baseOffset}, {nextOffset}), not the range of its key");
        }

        if (blockCount < 0 || span.Length != 48 + ((long)blockCount * ColdSegmentLayout.BlockEntryLength))
        {
            throw Corrupt(segment, $"its footer's {span.Length} bytes do not hold {blockCount} blocks");
        }

        var blocks = new ColdBlockInfo[blockCount];
        var entry = span[48..];
        long counted = 0;
        for (var i = 0; i < blockCount; i++)
        {
            blocks[i] = new ColdBlockInfo(
                i,
                BinaryPrimitives.ReadInt64LittleEndian(entry),
                BinaryPrimitives.ReadInt64LittleEndian(entry[8..]),
                BinaryPrimitives.ReadInt32LittleEndian(entry[16..]),
                BinaryPrimitives.ReadInt64LittleEndian(entry[20..]),
                BinaryPrimitives.ReadInt32LittleEndian(entry[28..]),
                BinaryPrimitives.ReadInt32LittleEndian(entry[32..]),
                BinaryPrimitives.ReadUInt32LittleEndian(entry[36..]));
            var block = blocks[i];
            if (block.Position < 0 || block.CompressedLength < 0 || block.UncompressedLength < 0 || block.RecordCount <= 0 ||
                block.Position + block.CompressedLength > footerPosition || block.FirstOffset > block.LastOffset)
            {
                throw Corrupt(segment, $"block {i} of its footer lies outside the segment or holds no records");
            }

            counted += block.RecordCount;
            entry = entry[ColdSegmentLayout.BlockEntryLength..];
        }

        if (counted != recordCount)
        {
            throw Corrupt(segment, $"its blocks hold {counted} records where its footer says {recordCount}");
        }

        return new ColdSegmentIndex(segment, ColdSegmentLayout.FormatVersion, recordCount, minTimestamp, maxTimestamp, blocks);
    }

    private static List<ColdRecord> ReadRecords(long baseOffset, ReadOnlySpan<byte> payload, int count)
    {
        var records = new List<ColdRecord>(count);
        var position = 0;
        while (position < payload.Length)
        {
            var offset = checked(baseOffset + (long)Varint.Read(payload, ref position));
            var timestamp = Varint.ReadSigned(payload, ref position);
            var type = payload[position++];
            if (type > (byte)ColdTimestampType.LogAppendTime)
            {
                throw new FormatException($"timestamp type {type} at offset {offset}");
            }

            var key = ReadBytes(payload, ref position);
            var value = ReadBytes(payload, ref position);
            var headerCount = checked((int)Varint.Read(payload, ref position));
            var headers = headerCount == 0 ? [] : new ColdHeader[headerCount];
            for (var i = 0; i < headerCount; i++)
            {
                headers[i] = new ColdHeader(ReadString(payload, ref position), ReadBytes(payload, ref position));
            }

            records.Add(new ColdRecord(offset, timestamp, (ColdTimestampType)type, key, value, headers));
        }

        if (records.Count != count)
        {
            throw new FormatException($"{records.Count} records where the footer says {count}");
        }

        return records;
    }

    private static byte[]? ReadBytes(ReadOnlySpan<byte> source, ref int position)
    {
        var length = Varint.ReadSigned(source, ref position);
        if (length == -1)
        {
            return null;
        }

        var bytes = source.Slice(position, checked((int)length)).ToArray();
        position += bytes.Length;
        return bytes;
    }

    private static string ReadString(ReadOnlySpan<byte> source, ref int position)
    {
        var length = checked((int)Varint.Read(source, ref position));
        var text = Encoding.UTF8.GetString(source.Slice(position, length));
        position += length;
        return text;
    }

    private static ColdSegmentCorruptException Corrupt(ColdSegment segment, string detail, Exception? inner = null) =>
        new(segment.Key, block: null, detail, inner);
}
