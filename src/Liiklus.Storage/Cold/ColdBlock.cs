namespace Liiklus.Storage.Cold;

/// <summary>One block of a segment, decompressed and checked, its records in offset order.</summary>
/// <param name="UncompressedBytes">the block's encoded size before compression</param>
public sealed record ColdBlock(ColdBlockId Id, IReadOnlyList<ColdRecord> Records, int UncompressedBytes)
{
    /// <summary>What a cache holding this block should count it as: its records as the receive path counts them.</summary>
    public long SizeInBytes
    {
        get
        {
            long size = 0;
            for (var i = 0; i < Records.Count; i++)
            {
                size += Records[i].SizeInBytes;
            }

            return size;
        }
    }
}
