namespace Liiklus.Storage.Cold;

/// <summary>Where one block of a segment lies and what it holds, as the segment's footer says.</summary>
/// <param name="Position">the first byte of the compressed block within the segment</param>
/// <param name="Checksum">CRC-32 of the compressed bytes</param>
public sealed record ColdBlockInfo(
    int Index,
    long FirstOffset,
    long LastOffset,
    int RecordCount,
    long Position,
    int CompressedLength,
    int UncompressedLength,
    uint Checksum);
