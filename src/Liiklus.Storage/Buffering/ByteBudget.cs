using System.Collections.Concurrent;

namespace Liiklus.Storage.Buffering;

/// <summary>
/// A bound on the bytes of records held on the receive path (a node's: storage read buffers of streams catching up,
/// what each Receive stream holds between the storage and its client). Holders take bytes before they hold a
/// record and give them back when they let it go; one that cannot take them waits to be woken by a release
/// instead of growing.
/// </summary>
public sealed class ByteBudget
{
    private readonly ConcurrentQueue<(long Bytes, Action Wake)> _waiting = new();
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

    public long Used => Interlocked.Read(ref _used);

    public long Available => Capacity - Used;

    /// <summary>Takes <paramref name="bytes"/> when that leaves the budget within its capacity.</summary>
    public bool TryTake(long bytes)
    {
        while (true)
        {
            var used = Interlocked.Read(ref _used);
            if (used + bytes > Capacity)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _used, used + bytes, used) == used)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// Takes <paramref name="bytes"/> whatever is left: for a holder that checked <see cref="HasRoomFor"/> and then
    /// accepted a record it cannot refuse, so the budget is exceeded by at most one record per such holder.
    /// </summary>
    public void Take(long bytes) => Interlocked.Add(ref _used, bytes);

    public bool HasRoomFor(long bytes) => Used + bytes <= Capacity;

    public void Release(long bytes)
    {
        if (bytes == 0)
        {
            return;
        }

        Interlocked.Add(ref _used, -bytes);
        WakeWaiting();
    }

    /// <summary>
    /// Calls <paramref name="wake"/> once, after the next release (at once when <paramref name="bytes"/> fit already),
    /// so a holder that could not take what it needed tries again.
    /// </summary>
    public void WakeWhenRoomFor(long bytes, Action wake)
    {
        _waiting.Enqueue((bytes, wake));
        // A release between the holder's failed take and this enqueue would otherwise wake nobody.
        if (HasRoomFor(bytes))
        {
            WakeWaiting();
        }
    }

    private void WakeWaiting()
    {
        // In order of waiting, as many as the bytes available can serve; each tries again, and one that still finds no
        // room (another took it meanwhile) waits again. Waking every waiter on every release would send N streams
        // round their mailboxes for each chunk written, just when the node is short of memory.
        var available = Available;
        while (_waiting.TryPeek(out var next) && next.Bytes <= available && _waiting.TryDequeue(out var waiter))
        {
            available -= waiter.Bytes;
            waiter.Wake();
        }
    }
}
