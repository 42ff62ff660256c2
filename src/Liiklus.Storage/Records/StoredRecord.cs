namespace Liiklus.Storage.Records;

/// <summary>A record as read back from one partition.</summary>
public sealed record StoredRecord(
    int Partition,
    long Offset,
    byte[]? Key,
    byte[] Value,
    IReadOnlyList<RecordHeader> Headers,
    DateTimeOffset Timestamp)
{
    /// <summary>Key, value and header bytes: what memory bounds on the receive path count.</summary>
    public int SizeInBytes
    {
        get
        {
            var size = (Key?.Length ?? 0) + Value.Length;
            // Indexed: this runs for every record read, where foreach's interface enumerator showed in profiles.
            for (var i = 0; i < Headers.Count; i++)
            {
                var header = Headers[i];
                size += header.Name.Length + header.Value.Length;
            }

            return size;
        }
    }
}
