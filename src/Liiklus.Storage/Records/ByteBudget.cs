namespace Liiklus.Storage.Records;

/// <summary>
/// A bound on the bytes of records held on the receive path (a node's: storage read buffers of streams catching up,
/// what each Receive stream holds between the storage and its client). Holders take bytes before they hold a
/// record and give them back when they let it go. One that cannot take them queues a <see cref="IByteBudgetWaiter"/>:
/// releases grant queued waiters their bytes in order, taken on their behalf, so a grant is never lost between a wake-up
/// and a retry, and a newcomer never takes what an earlier waiter waits for. A waiter that goes away cancels itself.
/// </summary>
public sealed class ByteBudget
{
    private readonly Lock _lock = new();
    private readonly LinkedList<(IByteBudgetWaiter Waiter, long Bytes)> _queue = [];
    private readonly Dictionary<IByteBudgetWaiter, LinkedListNode<(IByteBudgetWaiter Waiter, long Bytes)>> _queued = [];
    private long _used;

    /// <param name="capacity">bytes held at most, across every holder</param>
    public ByteBudget(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>A budget that never runs out, for storages used on their own (tools, tests).</summary>
    public static ByteBudget Unbounded() => new(long.MaxValue / 2);

    public long Capacity { get; }

    public long Used => Volatile.Read(ref _used);

    public long Available => Capacity - Used;

    /// <summary>Holders queued for bytes.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>
    /// Takes <paramref name="bytes"/> when that leaves the budget within its capacity and nobody waits ahead. More than
    /// the whole capacity is taken when nothing else is held, so that a record larger than the budget still passes alone.
    /// </summary>
    public bool TryTake(long bytes)
    {
        lock (_lock)
        {
            if (_queue.Count > 0 || !Fits(bytes))
            {
                return false;
            }

            Volatile.Write(ref _used, _used + bytes);
            return true;
        }
    }

    /// <summary>
    /// Takes <paramref name="bytes"/> whatever is left: for a holder that checked <see cref="HasRoomFor"/> and then
    /// accepted a record it cannot refuse, so the budget is exceeded by at most one record per such holder.
    /// </summary>
    public void Take(long bytes)
    {
        lock (_lock)
        {
            Volatile.Write(ref _used, _used + bytes);
        }
    }

    public bool HasRoomFor(long bytes) => Used + bytes <= Capacity;

    public void Release(long bytes)
    {
        if (bytes == 0)
        {
            return;
        }

        List<(IByteBudgetWaiter Waiter, long Bytes)>? granted;
        lock (_lock)
        {
            Volatile.Write(ref _used, _used - bytes);
            granted = GrantInOrder();
        }

        Notify(granted);
    }

    /// <summary>
    /// Queues <paramref name="waiter"/> for <paramref name="bytes"/>, or changes what it waits for when it is queued
    /// already (it keeps its place). Granted at once when nobody waits ahead and the bytes fit.
    /// </summary>
    public void Enqueue(IByteBudgetWaiter waiter, long bytes)
    {
        List<(IByteBudgetWaiter Waiter, long Bytes)>? granted;
        lock (_lock)
        {
            if (_queued.TryGetValue(waiter, out var node))
            {
                node.Value = (waiter, bytes);
            }
            else
            {
                _queued[waiter] = _queue.AddLast((waiter, bytes));
            }

            granted = GrantInOrder();
        }

        Notify(granted);
    }

    /// <summary>Takes <paramref name="waiter"/> out of the queue; the waiters behind it may be granted their bytes now.</summary>
    public void Cancel(IByteBudgetWaiter waiter)
    {
        List<(IByteBudgetWaiter Waiter, long Bytes)>? granted;
        lock (_lock)
        {
            if (!_queued.Remove(waiter, out var node))
            {
                return;
            }

            _queue.Remove(node);
            granted = GrantInOrder();
        }

        Notify(granted);
    }

    private bool Fits(long bytes) => _used + bytes <= Capacity || _used == 0;

    // In order of waiting, as many as fit: the first that does not fit waits for the next release, and so does every
    // waiter behind it, so a large chunk is not starved by small ones.
    private List<(IByteBudgetWaiter Waiter, long Bytes)>? GrantInOrder()
    {
        List<(IByteBudgetWaiter Waiter, long Bytes)>? granted = null;
        while (_queue.First is { } first && Fits(first.Value.Bytes))
        {
            _queue.RemoveFirst();
            _queued.Remove(first.Value.Waiter);
            Volatile.Write(ref _used, _used + first.Value.Bytes);
            (granted ??= []).Add(first.Value);
        }

        return granted;
    }

    // Outside the lock: a waiter may take, release or queue again from its callback.
    private static void Notify(List<(IByteBudgetWaiter Waiter, long Bytes)>? granted)
    {
        if (granted is null)
        {
            return;
        }

        foreach (var (waiter, bytes) in granted)
        {
            waiter.Granted(bytes);
        }
    }
}
