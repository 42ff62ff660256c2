namespace Liiklus.Storage.Cold.Format;

/// <summary>
/// Segment format 1, byte for byte. A segment is its blocks, then a footer, then a fixed trailer:
/// <code>
/// block*   LZ4 (raw block) of records, each: offset - base (varint), timestamp (zigzag varint), timestamp type (byte),
///          key, value (zigzag varint length, -1 for null, then bytes), header count (varint), per header:
///          name (varint length, UTF-8), value (as key)
/// footer   topic (varint length, UTF-8), partition (int32), base, next, record count, min and max timestamp
///          (int64 each), block count (int32), per block: first offset, last offset (int64), record count (int32),
///          position (int64), compressed and uncompressed length (int32), CRC-32 of the compressed bytes (uint32)
/// trailer  footer length (int32), CRC-32 of the footer (uint32), format version (uint16), 0 (uint16), "LKCS"
/// </code>
/// Fixed-width numbers are little-endian. A reader fetches the trailer and footer from the end, then only the
/// blocks it needs, each checked against its CRC before it is decompressed.
/// </summary>
public static class ColdSegmentLayout
{
    public const ushort FormatVersion = 1;

    public const int TrailerLength = 16;

    /// <summary>Uncompressed bytes after which a block is closed; a larger record makes a block of its own.</summary>
    public const int DefaultBlockBytes = 1 << 20;

    /// <summary>Footer bytes per block.</summary>
    internal const int BlockEntryLength = 8 + 8 + 4 + 8 + 4 + 4 + 4;

    /// <summary>"LKCS" as the trailer's last four bytes.</summary>
    internal static ReadOnlySpan<byte> Magic => "LKCS"u8;
}
