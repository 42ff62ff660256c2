namespace Liiklus.Actors.Receiving;

/// <summary>
/// Records handed to a Receive call together, in offset order, with their bytes as charged to the stream's
/// <see cref="StreamByteAllowance"/>; the call gives them back (<see cref="ReceiveStream.Delivered"/>) once written.
/// </summary>
public sealed class ReceivedBatch
{
    private readonly List<ReceivedRecord> _records;

    internal ReceivedBatch(List<ReceivedRecord> records, long bytes)
    {
        _records = records;
        Bytes = bytes;
    }

    public IReadOnlyList<ReceivedRecord> Records => _records;

    public long Bytes { get; private set; }

    /// <summary>Merges a later batch into this one, while the call is busy writing the one before.</summary>
    internal ReceivedBatch Append(ReceivedBatch later)
    {
        _records.AddRange(later._records);
        Bytes += later.Bytes;
        return this;
    }
}
