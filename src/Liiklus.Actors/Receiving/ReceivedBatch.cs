using Liiklus.Storage.Records;

namespace Liiklus.Actors.Receiving;

/// <summary>
/// Records handed to a Receive call together, in offset order, with their bytes as charged to the stream's
/// <see cref="StreamByteAllowance"/>; the call gives them back (<see cref="ReceiveStream.Delivered"/>) once written.
/// The storage's chunks are carried whole, as they were read: nothing is allocated per record on the way to the call.
/// </summary>
public sealed class ReceivedBatch
{
    private readonly List<IReadOnlyList<StoredRecord>> _chunks;

    /// <param name="records">consecutive records of the partition, at least one</param>
    /// <param name="replayUntil">the highest offset some version of the group acked; -1 when none did</param>
    internal ReceivedBatch(IReadOnlyList<StoredRecord> records, long bytes, long replayUntil)
    {
        _chunks = [records];
        Count = records.Count;
        Bytes = bytes;
        ReplayUntil = replayUntil;
    }

    /// <summary>The records, chunk after chunk, in offset order.</summary>
    public IReadOnlyList<IReadOnlyList<StoredRecord>> Chunks => _chunks;

    /// <summary>Records in every chunk together.</summary>
    public int Count { get; private set; }

    public long Bytes { get; private set; }

    /// <summary>
    /// The highest offset some version of the group name has acked (-1 when none did): records up to it are replays,
    /// so re-processing code can skip side effects.
    /// </summary>
    public long ReplayUntil { get; }

    /// <summary>The batch's last record: how far it reaches.</summary>
    public StoredRecord Last => _chunks[^1][^1];

    /// <summary>Whether some version of the group name has already acked <paramref name="record"/>.</summary>
    public bool IsReplay(StoredRecord record) => record.Offset <= ReplayUntil;

    /// <summary>Each record with its replay mark, one object per record: for tests and plugins, not the hot path.</summary>
    public IEnumerable<ReceivedRecord> Records => _chunks.SelectMany(chunk => chunk).Select(record => new ReceivedRecord(record, IsReplay(record)));

    /// <summary>Adds the stream's next records (charged <paramref name="bytes"/>), while the call is busy writing the batch before.</summary>
    internal ReceivedBatch Append(IReadOnlyList<StoredRecord> records, long bytes)
    {
        _chunks.Add(records);
        Count += records.Count;
        Bytes += bytes;
        return this;
    }
}
