using Liiklus.Storage.Records;

namespace Liiklus.Tests.Support;

/// <summary>
/// A real records storage whose publishes wait at a gate until the test lets each one through, counting how many
/// are inside at once: what a client's pipelining really puts on the gateway.
/// </summary>
public sealed class GatedRecordsStorage(IRecordsStorage inner) : ForwardingRecordsStorage(inner)
{
    private readonly List<TaskCompletionSource> _waiting = [];
    private int _inside;
    private int _maxInside;

    /// <summary>Publishes waiting at the gate now.</summary>
    public int Waiting
    {
        get
        {
            lock (_waiting)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>The most publishes ever inside at once.</summary>
    public int MaxInside => Volatile.Read(ref _maxInside);

    /// <summary>Lets the publish that arrived last through.</summary>
    public void ReleaseNewest()
    {
        TaskCompletionSource newest;
        lock (_waiting)
        {
            newest = _waiting[^1];
            _waiting.RemoveAt(_waiting.Count - 1);
        }

        newest.SetResult();
    }

    public override async Task<PublishResult> PublishAsync(string topic, OutgoingRecord record, CancellationToken cancellationToken)
    {
        var inside = Interlocked.Increment(ref _inside);
        int max;
        while (inside > (max = Volatile.Read(ref _maxInside)) && Interlocked.CompareExchange(ref _maxInside, inside, max) != max)
        {
        }

        try
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_waiting)
            {
                _waiting.Add(gate);
            }

            await gate.Task.WaitAsync(cancellationToken);
            return await Inner.PublishAsync(topic, record, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _inside);
        }
    }
}
