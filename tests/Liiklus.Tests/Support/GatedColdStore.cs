using Liiklus.Storage.Cold;

namespace Liiklus.Tests.Support;

/// <summary>A cold store whose segment uploads can be held in flight, to stop an archiver mid-upload.</summary>
public sealed class GatedColdStore(IColdStore inner) : IColdStore
{
    private TaskCompletionSource _gate = Open();
    private int _waiting;

    /// <summary>Uploads started and not let through yet.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public void Hold() => Interlocked.Exchange(ref _gate, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void Release() => Volatile.Read(ref _gate).TrySetResult();

    public async Task<ColdWriteResult> WriteSegmentAsync(string topic, int partition, long baseOffset, long nextOffset, IReadOnlyList<ColdRecord> records, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        await Volatile.Read(ref _gate).Task.WaitAsync(cancellationToken);
        Interlocked.Decrement(ref _waiting);
        return await inner.WriteSegmentAsync(topic, partition, baseOffset, nextOffset, records, cancellationToken);
    }

    public Task<ColdWriteResult> WriteGapAsync(string topic, int partition, long fromOffset, long toOffset, CancellationToken cancellationToken) =>
        inner.WriteGapAsync(topic, partition, fromOffset, toOffset, cancellationToken);

    public Task<ColdRange?> FindAsync(string topic, int partition, long offset, CancellationToken cancellationToken) =>
        inner.FindAsync(topic, partition, offset, cancellationToken);

    public Task<long?> GetArchivedNextAsync(string topic, int partition, CancellationToken cancellationToken) =>
        inner.GetArchivedNextAsync(topic, partition, cancellationToken);

    public IAsyncEnumerable<ColdRange> ListAsync(string topic, int partition, long fromOffset, CancellationToken cancellationToken) =>
        inner.ListAsync(topic, partition, fromOffset, cancellationToken);

    public Task<IReadOnlyList<ColdPartition>> ListPartitionsAsync(string? topic, CancellationToken cancellationToken) =>
        inner.ListPartitionsAsync(topic, cancellationToken);

    public Task<ColdSegmentIndex> ReadIndexAsync(ColdSegment segment, CancellationToken cancellationToken) =>
        inner.ReadIndexAsync(segment, cancellationToken);

    public Task<ColdBlock> ReadBlockAsync(ColdSegmentIndex index, int block, CancellationToken cancellationToken) =>
        inner.ReadBlockAsync(index, block, cancellationToken);

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}
