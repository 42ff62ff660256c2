using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using K4os.Compression.LZ4;

namespace Liiklus.Storage.Cold.Format;

/// <summary>
/// Writes a segment in <see cref="ColdSegmentLayout"/>. The bytes depend on the records and the block size only (no
/// clock, no random id), so two archivers writing the same range write the same bytes.
/// </summary>
public static class ColdSegmentWriter
{
    /// <exception cref="ArgumentException">an empty range, or records out of order or outside it</exception>
    public static byte[] Write(
        string topic,
        int partition,
        long baseOffset,
        long nextOffset,
        IReadOnlyList<ColdRecord> records,
        int blockBytes = ColdSegmentLayout.DefaultBlockBytes)
    {
        CheckRange(baseOffset, nextOffset);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockBytes, 1);
        var output = new ArrayBufferWriter<byte>();
        var blocks = new List<ColdBlockInfo>();
        var payload = new ArrayBufferWriter<byte>();
        var (minTimestamp, maxTimestamp) = (long.MaxValue, long.MinValue);
        var (firstOfBlock, countOfBlock, previous) = (0L, 0, baseOffset - 1);
        foreach (var record in records)
        {
            if (record.Offset <= previous || record.Offset >= nextOffset)
            {
                throw new ArgumentException(
                    $"record offset {record.Offset} is not in [{baseOffset}, {nextOffset}) after offset {previous}: records must be in offset order within the range",
                    nameof(records));
            }

            if (countOfBlock == 0)
            {
                firstOfBlock = record.Offset;
            }

            WriteRecord(payload, baseOffset, record);
            previous = record.Offset;
            countOfBlock++;
            minTimestamp = Math.Min(minTimestamp, record.Timestamp);
            maxTimestamp = Math.Max(maxTimestamp, record.Timestamp);
            if (payload.WrittenCount >= blockBytes)
            {
                blocks.Add(Flush(output, payload, blocks.Count, firstOfBlock, previous, countOfBlock));
                countOfBlock = 0;
            }
        }

        if (countOfBlock > 0)
        {
            blocks.Add(Flush(output, payload, blocks.Count, firstOfBlock, previous, countOfBlock));
        }

        var footerStart = output.WrittenCount;
        WriteFooter(output, topic, partition, baseOffset, nextOffset, records.Count, records.Count == 0 ? -1 : minTimestamp, records.Count == 0 ? -1 : maxTimestamp, blocks);
        var footer = output.WrittenSpan[footerStart..];
        var trailer = output.GetSpan(ColdSegmentLayout.TrailerLength)[..ColdSegmentLayout.TrailerLength];
        BinaryPrimitives.WriteInt32LittleEndian(trailer, footer.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], Crc32.HashToUInt32(footer));
        BinaryPrimitives.WriteUInt16LittleEndian(trailer[8..], ColdSegmentLayout.FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(trailer[10..], 0);
        ColdSegmentLayout.Magic.CopyTo(trailer[12..]);
        output.Advance(ColdSegmentLayout.TrailerLength);
        return output.WrittenSpan.ToArray();
    }

    internal static void CheckRange(long baseOffset, long nextOffset)
    {
        if (baseOffset < 0 || nextOffset <= baseOffset)
        {
            throw new ArgumentException($"[{baseOffset}, {nextOffset}) is not a range of offsets: the base must be at least 0 and below the next offset");
        }
    }

    private static ColdBlockInfo Flush(ArrayBufferWriter<byte> output, ArrayBufferWriter<byte> payload, int index, long first, long last, int count)
    {
        var uncompressed = payload.WrittenSpan;
        var target = output.GetSpan(LZ4Codec.MaximumOutputSize(uncompressed.Length));
        var length = LZ4Codec.Encode(uncompressed, target, LZ4Level.L00_FAST);
        if (length <= 0)
        {
            throw new InvalidOperationException($"LZ4 could not compress a block of {uncompressed.Length} bytes");
        }

        var checksum = Crc32.HashToUInt32(target[..length]);
        var block = new ColdBlockInfo(index, first, last, count, output.WrittenCount, length, uncompressed.Length, checksum);
        output.Advance(length);
        payload.ResetWrittenCount();
        return block;
    }

    private static void WriteRecord(ArrayBufferWriter<byte> payload, long baseOffset, ColdRecord record)
    {
        Varint.Write(payload, (ulong)(record.Offset - baseOffset));
        Varint.WriteSigned(payload, record.Timestamp);
        payload.GetSpan(1)[0] = (byte)record.TimestampType;
        payload.Advance(1);
        WriteBytes(payload, record.Key);
        WriteBytes(payload, record.Value);
        Varint.Write(payload, (ulong)record.Headers.Count);
        foreach (var header in record.Headers)
        {
            WriteString(payload, header.Name);
            WriteBytes(payload, header.Value);
        }
    }

    private static void WriteBytes(ArrayBufferWriter<byte> payload, byte[]? bytes)
    {
        Varint.WriteSigned(payload, bytes?.Length ?? -1);
        if (bytes is { Length: > 0 })
        {
            payload.Write(bytes);
        }
    }

    private static void WriteString(ArrayBufferWriter<byte> payload, string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        Varint.Write(payload, (ulong)length);
        Encoding.UTF8.GetBytes(text, payload.GetSpan(length));
        payload.Advance(length);
    }

    private static void WriteFooter(
        ArrayBufferWriter<byte> output,
        string topic,
        int partition,
        long baseOffset,
        long nextOffset,
        long recordCount,
        long minTimestamp,
        long maxTimestamp,
        List<ColdBlockInfo> blocks)
    {
        WriteString(output, topic);
        var fixedLength = 4 + (8 * 5) + 4 + (blocks.Count * ColdSegmentLayout.BlockEntryLength);
        var span = output.GetSpan(fixedLength)[..fixedLength];
        BinaryPrimitives.WriteInt32LittleEndian(span, partition);
        BinaryPrimitives.WriteInt64LittleEndian(span[4..], baseOffset);
        BinaryPrimitives.WriteInt64LittleEndian(span[12..], nextOffset);
        BinaryPrimitives.WriteInt64LittleEndian(span[20..], recordCount);
        BinaryPrimitives.WriteInt64LittleEndian(span[28..], minTimestamp);
        BinaryPrimitives.WriteInt64LittleEndian(span[36..], maxTimestamp);
        BinaryPrimitives.WriteInt32LittleEndian(span[44..], blocks.Count);
        var entry = span[48..];
        foreach (var block in blocks)
        {
            BinaryPrimitives.WriteInt64LittleEndian(entry, block.FirstOffset);
            BinaryPrimitives.WriteInt64LittleEndian(entry[8..], block.LastOffset);
            BinaryPrimitives.WriteInt32LittleEndian(entry[16..], block.RecordCount);
            BinaryPrimitives.WriteInt64LittleEndian(entry[20..], block.Position);
            BinaryPrimitives.WriteInt32LittleEndian(entry[28..], block.CompressedLength);
            BinaryPrimitives.WriteInt32LittleEndian(entry[32..], block.UncompressedLength);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[36..], block.Checksum);
            entry = entry[ColdSegmentLayout.BlockEntryLength..];
        }

        output.Advance(fixedLength);
    }
}
