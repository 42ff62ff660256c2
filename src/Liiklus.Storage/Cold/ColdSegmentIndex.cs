namespace Liiklus.Storage.Cold;

/// <summary>
/// A segment's footer: its range and records, and its block index, so that a reader fetches only the blocks it needs.
/// </summary>
/// <param name="MinTimestamp">the smallest record timestamp (Unix ms), or -1 when the segment holds no record</param>
/// <param name="MaxTimestamp">the largest record timestamp (Unix ms), or -1 when the segment holds no record</param>
public sealed record ColdSegmentIndex(
    ColdSegment Segment,
    int FormatVersion,
    long RecordCount,
    long MinTimestamp,
    long MaxTimestamp,
    IReadOnlyList<ColdBlockInfo> Blocks)
{
    /// <summary>
    /// The block holding the first record at or after <paramref name="offset"/>, or -1 when no record of the segment
    /// is at or after it (the rest of the range holds no record: go on at <see cref="ColdRange.NextOffset"/>).
    /// </summary>
    public int BlockOf(long offset)
    {
        var (low, high) = (0, Blocks.Count - 1);
        var found = -1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            if (Blocks[middle].LastOffset >= offset)
            {
                found = middle;
                high = middle - 1;
            }
            else
            {
                low = middle + 1;
            }
        }

        return found;
    }

    public ColdBlockId BlockId(int index) => new(Segment.Key, index);
}
