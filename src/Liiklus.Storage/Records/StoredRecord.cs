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
    /// <summary>
    /// What a record held in memory is counted as by the bounds on the receive path: a fixed share for the objects that
    /// carry it, then key, value and header bytes. Without the fixed share, empty records (tombstones, events without
    /// data) would weigh nothing and fill any byte-bounded buffer without end.
    /// </summary>
    public const int OverheadBytes = 100;

    /// <summary>Key, value and header bytes with <see cref="OverheadBytes"/>: what memory bounds on the receive path count.</summary>
    public int SizeInBytes
    {
        get
        {
            var size = OverheadBytes + (Key?.Length ?? 0) + Value.Length;
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
