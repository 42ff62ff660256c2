using Liiklus.Storage.Records;

namespace Liiklus.Actors.Browsing;

/// <summary>Which records a browse keeps: those whose key and value contain the given bytes; an empty filter keeps all.</summary>
public sealed record RecordFilter(byte[] KeyContains, byte[] ValueContains)
{
    public static readonly RecordFilter None = new([], []);

    public bool Matches(StoredRecord record) =>
        (KeyContains.Length == 0 || (record.Key is { } key && key.AsSpan().IndexOf(KeyContains) >= 0))
        && (ValueContains.Length == 0 || record.Value.AsSpan().IndexOf(ValueContains) >= 0);
}
