using System.Globalization;

namespace Liiklus.Storage.Cold;

/// <summary>
/// Names of ranges, the same in every store: <c>{topic}/{partition}/{next:D20}-{base:D20}.seg</c> for a segment and
/// <c>.gap</c> for a gap. Names sort by the range's end, so the first name after <c>{X:D20}-</c> is that of the
/// range holding offset X, and a range written twice gets the same name.
/// </summary>
public static class ColdKeys
{
    public const string SegmentSuffix = ".seg";
    public const string GapSuffix = ".gap";

    public static string PartitionPrefix(string topic, int partition) =>
        string.Create(CultureInfo.InvariantCulture, $"{topic}/{partition}/");

    public static string Segment(string topic, int partition, long baseOffset, long nextOffset) =>
        Range(topic, partition, baseOffset, nextOffset) + SegmentSuffix;

    public static string Gap(string topic, int partition, long baseOffset, long nextOffset) =>
        Range(topic, partition, baseOffset, nextOffset) + GapSuffix;

    /// <summary>The name every range ending after <paramref name="offset"/> sorts after.</summary>
    public static string After(string topic, int partition, long offset) =>
        string.Create(CultureInfo.InvariantCulture, $"{PartitionPrefix(topic, partition)}{offset:D20}-~");

    /// <summary>The range a name under <see cref="PartitionPrefix"/> stands for, or null for a name that is none.</summary>
    public static ColdRange? Parse(string topic, int partition, string name, long bytes)
    {
        var prefix = PartitionPrefix(topic, partition);
        if (!name.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = name.AsSpan(prefix.Length);
        if (rest.Length != 20 + 1 + 20 + 4 || rest[20] != '-' ||
            !long.TryParse(rest[..20], NumberStyles.None, CultureInfo.InvariantCulture, out var next) ||
            !long.TryParse(rest[21..41], NumberStyles.None, CultureInfo.InvariantCulture, out var @base) ||
            @base >= next)
        {
            return null;
        }

        return rest[41..] switch
        {
            SegmentSuffix => new ColdSegment(topic, partition, @base, next, name, bytes),
            GapSuffix => new ColdGap(topic, partition, @base, next),
            _ => null,
        };
    }

    private static string Range(string topic, int partition, long baseOffset, long nextOffset) =>
        string.Create(CultureInfo.InvariantCulture, $"{PartitionPrefix(topic, partition)}{nextOffset:D20}-{baseOffset:D20}");
}
