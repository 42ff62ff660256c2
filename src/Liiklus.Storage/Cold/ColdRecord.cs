using Liiklus.Storage.Records;

namespace Liiklus.Storage.Cold;

/// <summary>
/// A Kafka record as the cold store keeps it: every field, with null key or value distinct from an empty one and
/// headers in their order, repeated names kept.
/// </summary>
/// <param name="Timestamp">milliseconds since the Unix epoch, as Kafka keeps it (-1 when not available)</param>
public sealed record ColdRecord(
    long Offset,
    long Timestamp,
    ColdTimestampType TimestampType,
    byte[]? Key,
    byte[]? Value,
    IReadOnlyList<ColdHeader> Headers)
{
    /// <summary>What the receive path's byte bounds count for this record, as <see cref="StoredRecord.SizeInBytes"/>.</summary>
    public int SizeInBytes
    {
        get
        {
            var size = StoredRecord.OverheadBytes + (Key?.Length ?? 0) + (Value?.Length ?? 0);
            for (var i = 0; i < Headers.Count; i++)
            {
                size += Headers[i].Name.Length + (Headers[i].Value?.Length ?? 0);
            }

            return size;
        }
    }

    /// <summary>
    /// The record as the records storage hands it out. A null value becomes empty there (a
    /// <see cref="StoredRecord"/> has no null value) and a null header value empty: that is how the Kafka records
    /// storage reads them too.
    /// </summary>
    public StoredRecord ToStoredRecord(int partition) =>
        new(
            partition,
            Offset,
            Key,
            Value ?? [],
            Headers.Select(header => new RecordHeader(header.Name, header.Value ?? [])).ToArray(),
            DateTimeOffset.FromUnixTimeMilliseconds(Timestamp));
}
