using Liiklus.Storage.Buffering;

namespace Liiklus.Actors.Receiving;

/// <summary>
/// The bytes one Receive stream holds between the storage and its client: taken by its stream graph as records enter
/// (within the stream's own bound and the node's <see cref="ByteBudget"/>), given back by the call once written to the
/// client, and all given back when the stream ends, whatever was still in flight.
/// </summary>
public sealed class StreamByteAllowance(long maxBytes, ByteBudget node)
{
    private readonly Lock _lock = new();
    private long _held;
    private bool _closed;
    private Action? _wake;

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
    /// the bound still passes alone) and the node's budget.
    /// </summary>
    public bool TryTake(long bytes)
    {
        lock (_lock)
        {
            if (_closed || !FitsStream(bytes) || !node.TryTake(bytes))
            {
                return false;
            }

            _held += bytes;
            return true;
        }
    }

    /// <summary>Calls <paramref name="wake"/> once <paramref name="bytes"/> may fit: after a release of the stream's or the node's.</summary>
    public void WakeWhenRoomFor(long bytes, Action wake)
    {
        bool fitsStream;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            fitsStream = FitsStream(bytes);
            if (!fitsStream)
            {
                _wake = wake;
            }
        }

        if (fitsStream)
        {
            node.WakeWhenRoomFor(bytes, wake);
        }
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
            wake = _wake;
            _wake = null;
        }

        node.Release(bytes);
        wake?.Invoke();
    }

    /// <summary>The stream ended: whatever it still held goes back to the node.</summary>
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
            held = _held;
            _held = 0;
            _wake = null;
        }

        node.Release(held);
    }

    private bool FitsStream(long bytes) => _held == 0 || _held + bytes <= maxBytes;
}
