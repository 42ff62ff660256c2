namespace Liiklus.Storage.Records;

/// <summary>What a publisher hands to the storage. A null key spreads records over partitions.</summary>
public sealed record OutgoingRecord(byte[]? Key, byte[] Value, IReadOnlyList<RecordHeader> Headers, DateTimeOffset Timestamp)
{
    /// <summary>Key, value and header bytes together: what a storage's size limit is measured against.</summary>
    public int SizeInBytes => (Key?.Length ?? 0) + Value.Length + Headers.Sum(h => h.Name.Length + h.Value.Length);
}
