namespace Liiklus.Storage.Cold;

/// <summary>The rules every store applies to a write, against the ranges a partition holds.</summary>
internal static class ColdChain
{
    public static long? ArchivedNext(IEnumerable<ColdRange> ranges)
    {
        long? next = null;
        foreach (var range in ranges)
        {
            next = Math.Max(next ?? long.MinValue, range.NextOffset);
        }

        return next;
    }

    /// <summary>
    /// What a write of [<paramref name="baseOffset"/>, <paramref name="nextOffset"/>) meets: the same range of the
    /// same kind (<see cref="ColdWriteOutcome.AlreadyArchived"/>), an overlap or a hole it would leave
    /// (<see cref="ColdWriteOutcome.Conflict"/>), or nothing (null: write it).
    /// </summary>
    public static ColdWriteOutcome? Check(IEnumerable<ColdRange> existing, bool isSegment, long baseOffset, long nextOffset)
    {
        long? archivedNext = null;
        foreach (var range in existing)
        {
            if (range.BaseOffset == baseOffset && range.NextOffset == nextOffset && range is ColdSegment == isSegment)
            {
                return ColdWriteOutcome.AlreadyArchived;
            }

            if (range.Overlaps(baseOffset, nextOffset))
            {
                return ColdWriteOutcome.Conflict;
            }

            archivedNext = Math.Max(archivedNext ?? long.MinValue, range.NextOffset);
        }

        return baseOffset > archivedNext ? ColdWriteOutcome.Conflict : null;
    }

    /// <summary>Of the ranges covering an offset (only briefly more than one, while racing writers settle), the one reaching furthest.</summary>
    public static ColdRange? Covering(IEnumerable<ColdRange> ranges, long offset) =>
        ranges.Where(range => range.Covers(offset)).OrderByDescending(range => range.NextOffset).FirstOrDefault();
}
