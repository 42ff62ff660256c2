namespace Liiklus.Storage.Records.Kafka;

/// <summary>
/// A stream at rest waiting for its partition's shared tail to append: it stays one of the tail's members meanwhile, so
/// the tail keeps fetching for it. Disposing it stops the wait and leaves the tail.
/// </summary>
internal sealed class TailWait(PartitionTails tails, PartitionTail tail, Action wake) : IDisposable
{
    private int _disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            tail.Forget(wake);
            tails.Leave(tail);
        }
    }
}
