namespace Liiklus.Client;

/// <summary>
/// The consumer's bound on partitions handled at once, taken and given back around every record: a free slot is taken
/// and given back without a lock (one atomic operation each), and only a partition that finds none waits in line.
/// </summary>
internal sealed class HandlingSlots(int count)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<TaskCompletionSource> _waiters = new();
    private int _free = count;
    private int _waiting;

    /// <summary>Takes a slot if one is free now.</summary>
    public bool TryTake()
    {
        var free = Volatile.Read(ref _free);
        while (free > 0)
        {
            var seen = Interlocked.CompareExchange(ref _free, free - 1, free);
            if (seen == free)
            {
                return true;
            }

            free = seen;
        }

        return false;
    }

    /// <summary>Takes a slot, waiting in line for one when none is free.</summary>
    /// <exception cref="OperationCanceledException">cancelled while waiting (no slot taken)</exception>
    public Task TakeAsync(CancellationToken cancellationToken) => TryTake() ? Task.CompletedTask : WaitAsync(cancellationToken);

    public void Release()
    {
        Interlocked.Increment(ref _free);
        // A waiter counts itself before its last try: either it saw this slot, or this sees it.
        if (Volatile.Read(ref _waiting) > 0)
        {
            Wake();
        }
    }

    private async Task WaitAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        LinkedListNode<TaskCompletionSource> node;
        lock (_lock)
        {
            Interlocked.Increment(ref _waiting);
            if (TryTake())
            {
                Interlocked.Decrement(ref _waiting);
                return;
            }

            node = _waiters.AddLast(waiter);
        }

        await using (cancellationToken.Register(() => GiveUp(node, cancellationToken)).ConfigureAwait(false))
        {
            await waiter.Task.ConfigureAwait(false);
        }
    }

    private void GiveUp(LinkedListNode<TaskCompletionSource> node, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            // Not in line any more: it was given a slot first.
            if (node.List is null)
            {
                return;
            }

            _waiters.Remove(node);
            Interlocked.Decrement(ref _waiting);
        }

        node.Value.TrySetCanceled(cancellationToken);
    }

    private void Wake()
    {
        lock (_lock)
        {
            while (_waiters.First is { } first && TryTake())
            {
                _waiters.RemoveFirst();
                Interlocked.Decrement(ref _waiting);
                first.Value.TrySetResult();
            }
        }
    }
}
