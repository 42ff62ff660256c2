namespace Liiklus.Storage.Records.Memory;

/// <summary>
/// A stream at rest waiting for a <see cref="PartitionLog"/>'s next append; disposing it stops the wait. One that has
/// fired is no longer in the log's waiters (an append takes them all), so disposing it does not search for it: a
/// partition's waiters may be thousands of streams, each disposing its wait as it wakes.
/// </summary>
internal sealed class AppendWait : IDisposable
{
    private readonly PartitionLog _log;
    private readonly Action _wake;
    private int _done;

    public AppendWait(PartitionLog log, Action wake)
    {
        _log = log;
        _wake = wake;
        Fire = OnAppend;
    }

    /// <summary>What the log calls: the stream's wake, once.</summary>
    public Action Fire { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0)
        {
            _log.StopWaiting(Fire);
        }
    }

    private void OnAppend()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0)
        {
            _wake();
        }
    }
}
