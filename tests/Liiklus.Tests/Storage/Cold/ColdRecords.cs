using System.Text;
using Liiklus.Storage.Cold;
using Xunit;

namespace Liiklus.Tests.Storage.Cold;

/// <summary>Records for the cold store specs, with every field's edge cases, and a field-by-field comparison.</summary>
internal static class ColdRecords
{
    /// <summary>
    /// Records at the given offsets of about <paramref name="valueBytes"/> each, cycling through null and empty keys,
    /// values and header values, every timestamp type and repeated header names.
    /// </summary>
    public static List<ColdRecord> At(IEnumerable<long> offsets, int valueBytes = 16) =>
        offsets.Select(offset => (offset % 7) switch
        {
            0 => new ColdRecord(offset, 1_700_000_000_000 + offset, ColdTimestampType.CreateTime, null, Bytes(offset, valueBytes), []),
            1 => new ColdRecord(offset, 1_700_000_000_000 + offset, ColdTimestampType.LogAppendTime, [], null, [new ColdHeader("h", null)]),
            2 => new ColdRecord(offset, -1, ColdTimestampType.NotAvailable, Encoding.UTF8.GetBytes($"key-{offset}"), [], [new ColdHeader("h", [])]),
            3 => new ColdRecord(
                offset,
                1_700_000_000_000 - offset,
                ColdTimestampType.CreateTime,
                Encoding.UTF8.GetBytes($"key-{offset}"),
                Bytes(offset, valueBytes),
                [new ColdHeader("trace", [1, 2]), new ColdHeader("ünï", [3]), new ColdHeader("trace", [4]), new ColdHeader("", null)]),
            _ => new ColdRecord(offset, 1_700_000_000_000 + offset, ColdTimestampType.CreateTime, Encoding.UTF8.GetBytes($"k{offset % 3}"), Bytes(offset, valueBytes), [new ColdHeader("n", Bytes(offset, 3))]),
        }).ToList();

    public static List<ColdRecord> Range(long from, long to, int valueBytes = 16) => At(LongRange(from, to), valueBytes);

    public static IEnumerable<long> LongRange(long from, long to)
    {
        for (var offset = from; offset < to; offset++)
        {
            yield return offset;
        }
    }

    public static void Equal(IReadOnlyList<ColdRecord> expected, IReadOnlyList<ColdRecord> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(Describe(expected[i]), Describe(actual[i]));
        }
    }

    /// <summary>Every field as text, null apart from empty: records compare by value, where byte arrays would compare by reference.</summary>
    public static string Describe(ColdRecord record) =>
        $"{record.Offset} {record.Timestamp} {record.TimestampType} key={Hex(record.Key)} value={Hex(record.Value)} headers=[" +
        string.Join(", ", record.Headers.Select(header => $"{header.Name}={Hex(header.Value)}")) + "]";

    private static string Hex(byte[]? bytes) => bytes is null ? "null" : $"'{Convert.ToHexString(bytes)}'";

    private static byte[] Bytes(long seed, int length)
    {
        var bytes = new byte[length];
        new Random((int)seed).NextBytes(bytes);
        return bytes;
    }
}
