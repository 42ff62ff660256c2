namespace Liiklus.Storage.Records;

/// <summary>What a publisher hands to the storage. A null key spreads records over partitions.</summary>
public sealed record OutgoingRecord(byte[]? Key, byte[] Value, IReadOnlyList<RecordHeader> Headers, DateTimeOffset Timestamp)
{
    /// <summary>Key, value and header bytes together: what a storage's size limit is measured against.</summary>
    public int SizeInBytes
    {
        get
        {
            var size = (Key?.Length ?? 0) + Value.Length;
            for (var i = 0; i < Headers.Count; i++)
            {
                size += Headers[i].Name.Length + Headers[i].Value.Length;
            }

            return size;
        }
    }
}
