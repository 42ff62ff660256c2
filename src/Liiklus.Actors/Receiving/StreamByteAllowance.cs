using Liiklus.Storage.Records;

namespace Liiklus.Actors.Receiving;

/// <summary>
/// The bytes one Receive stream holds between the storage and its client: taken by its stream graph as records enter
/// (within the stream's own bound and the node's <see cref="ByteBudget"/>), given back by the call once written to the
/// client, and all given back when the stream ends, whatever was still in flight. Bytes the node grants while the
/// stream waits for it are kept for the stream's next take, and given back if it ends first.
/// </summary>
public sealed class StreamByteAllowance(long maxBytes, ByteBudget node) : IByteBudgetWaiter
{
    private readonly Lock _lock = new();
    private long _held;
    // Granted by the node while the stream waited, not yet taken by it.
    private long _granted;
    private bool _closed;
    private bool _queued;
    private Action? _wakeOnRelease;
    private Action? _wakeOnGrant;

    public long Held
    {
        get
        {
            lock (_lock)
            {
                return _held;
            }
        }
    }

    /// <summary>Bytes the stream may take before reaching its bound.</summary>
    public long Room
    {
        get
        {
            lock (_lock)
            {
                return maxBytes - _held;
            }
        }
    }

    /// <summary>
    /// Takes <paramref name="bytes"/> when they fit the stream's bound (or the stream holds nothing: a chunk larger than
    /// the bound still passes alone) and the node's budget, counting what the node granted it already.
    /// </summary>
    public bool TryTake(long bytes)
    {
        long surplus;
        bool queued;
        lock (_lock)
        {
            if (_closed || !FitsStream(bytes))
            {
                return false;
            }

            if (_granted < bytes && !node.TryTake(bytes - _granted))
            {
                return false;
            }

            surplus = Math.Max(0, _granted - bytes);
            _granted = 0;
            _held += bytes;
            queued = _queued;
            _queued = false;
        }

        if (queued)
        {
            // Taken without waiting for it: a grant still queued would only hold bytes nobody takes.
            node.Cancel(this);
        }

        node.Release(surplus);
        return true;
    }

    /// <summary>
    /// Calls <paramref name="wake"/> once <paramref name="bytes"/> may fit: after a release of the stream's, or once the
    /// node granted the bytes, which the next <see cref="TryTake"/> then uses.
    /// </summary>
    public void WakeWhenRoomFor(long bytes, Action wake)
    {
        long missing;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            if (!FitsStream(bytes))
            {
                _wakeOnRelease = wake;
                return;
            }

            _wakeOnGrant = wake;
            missing = bytes - _granted;
            _queued |= missing > 0;
        }

        if (missing > 0)
        {
            node.Enqueue(this, missing);
        }
        else
        {
            wake();
        }
    }

    /// <summary>The node took bytes for this stream, which waited for them.</summary>
    void IByteBudgetWaiter.Granted(long bytes)
    {
        Action? wake;
        lock (_lock)
        {
            _queued = false;
            if (!_closed)
            {
                _granted += bytes;
                wake = _wakeOnGrant;
                _wakeOnGrant = null;
                bytes = 0;
            }
            else
            {
                wake = null;
            }
        }

        // Ended meanwhile: the grant goes straight back.
        node.Release(bytes);
        wake?.Invoke();
    }

    /// <summary>
    /// The stream's gate no longer needs what the node granted it (what it waited for was taken otherwise): the bytes
    /// go back to the node rather than sit idle.
    /// </summary>
    public void ReturnGranted()
    {
        long granted;
        lock (_lock)
        {
            granted = _granted;
            _granted = 0;
        }

        node.Release(granted);
    }

    /// <summary>The call wrote records of <paramref name="bytes"/> to its client.</summary>
    public void Release(long bytes)
    {
        Action? wake;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _held -= bytes;
            wake = _wakeOnRelease;
            _wakeOnRelease = null;
        }

        node.Release(bytes);
        wake?.Invoke();
    }

    /// <summary>The stream ended: whatever it still held or was granted goes back to the node.</summary>
    public void Close()
    {
        long held;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            held = _held + _granted;
            _held = 0;
            _granted = 0;
            _wakeOnRelease = null;
            _wakeOnGrant = null;
        }

        node.Cancel(this);
        node.Release(held);
    }

    private bool FitsStream(long bytes) => _held == 0 || _held + bytes <= maxBytes;
}
