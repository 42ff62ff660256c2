namespace Liiklus.Storage.Positions;

/// <summary>
/// The last listing of a storage that has to scan for its groups, answered again to the calls that come within
/// <c>maxAge</c> of its start, and one scan shared by the calls that come while it runs: however many metrics
/// refreshes and admin calls a node makes, the store is scanned at most once per <c>maxAge</c>. A failed scan is
/// not kept: the next call scans again.
/// </summary>
internal sealed class GroupListingCache(TimeSpan maxAge, TimeProvider time)
{
    private readonly Lock _lock = new();
    private Task<IReadOnlyList<StoredGroup>>? _listing;
    private long _startedAt;

    /// <param name="scan">the whole scan, bounded by the storage's own deadline: it is not stopped when a caller gives up</param>
    /// <param name="cancellationToken">ends this caller's wait, not the scan</param>
    public Task<IReadOnlyList<StoredGroup>> GetAsync(Func<Task<IReadOnlyList<StoredGroup>>> scan, CancellationToken cancellationToken)
    {
        Task<IReadOnlyList<StoredGroup>> listing;
        lock (_lock)
        {
            if (_listing is not { } last
                || last.IsFaulted
                || last.IsCanceled
                || (last.IsCompletedSuccessfully && time.GetElapsedTime(_startedAt) > maxAge))
            {
                _startedAt = time.GetTimestamp();
                _listing = scan();
                // A scan whose callers all gave up still ends with a result or a failure nobody reads.
                _ = _listing.ContinueWith(static t => t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
            }

            listing = _listing;
        }

        return listing.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// One topic's groups listed at once (a narrow query, not kept), or every group through this cache.
    /// </summary>
    /// <param name="list">lists one topic's groups, or every group for a null topic, under the storage's deadline</param>
    public Task<IReadOnlyList<StoredGroup>> ListAsync(
        string? topic,
        Func<string?, CancellationToken, Task<IReadOnlyList<StoredGroup>>> list,
        CancellationToken cancellationToken) =>
        topic is not null ? list(topic, cancellationToken) : GetAsync(() => list(null, CancellationToken.None), cancellationToken);

    /// <summary>Drops the last listing: the next call scans again (after the storage itself removed groups).</summary>
    public void Forget()
    {
        lock (_lock)
        {
            _listing = null;
        }
    }
}
