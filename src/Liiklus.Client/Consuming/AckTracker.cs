using System.Diagnostics;

namespace Liiklus.Client;

/// <summary>
/// The highest contiguous handled offset of one partition. A partition stream's records may be marked handled out of
/// order: the watermark only passes an offset once every record delivered before it is handled too. A handler
/// handles its records in the order they were delivered, so each one it finishes is the watermark
/// (<see cref="HandledInOrder"/>), with nothing to queue.
/// </summary>
internal sealed class AckTracker(ulong? handled, ulong? flushed)
{
    private readonly Lock _lock = new();
    private readonly Queue<ulong> _delivered = new();
    private readonly HashSet<ulong> _handledAhead = [];
    private ulong? _watermark = handled;
    private ulong? _flushed = flushed;
    private int _pending;
    private int _taken;
    private long _pendingSince;

    /// <summary>The highest offset up to which every delivered record was handled.</summary>
    public ulong? Watermark
    {
        get
        {
            lock (_lock)
            {
                return _watermark;
            }
        }
    }

    /// <summary>The last offset acknowledged.</summary>
    public ulong? Flushed
    {
        get
        {
            lock (_lock)
            {
                return _flushed;
            }
        }
    }

    /// <summary>Handled records not yet acknowledged.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _pending;
            }
        }
    }

    /// <summary>How long the oldest handled record not yet acknowledged has waited; zero when there is none.</summary>
    public TimeSpan PendingFor
    {
        get
        {
            lock (_lock)
            {
                return _pending == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_pendingSince);
            }
        }
    }

    public void Delivered(IReadOnlyList<LiiklusRecord> run)
    {
        lock (_lock)
        {
            foreach (var record in run)
            {
                _delivered.Enqueue(record.Offset);
            }
        }
    }

    /// <summary>
    /// Counts <paramref name="offset"/>, the next record in delivery order, as handled: for records handled in order
    /// only, never mixed with <see cref="Delivered"/> and <see cref="Handled"/>.
    /// </summary>
    /// <returns>the handled records not yet acknowledged</returns>
    public int HandledInOrder(ulong offset)
    {
        lock (_lock)
        {
            Advance(offset);
            return _pending;
        }
    }

    /// <summary>Counts <paramref name="offset"/>, one of the records passed to <see cref="Delivered"/>, as handled.</summary>
    /// <returns>the handled records not yet acknowledged</returns>
    public int Handled(ulong offset)
    {
        lock (_lock)
        {
            if (_delivered.Count == 0 || _delivered.Peek() != offset)
            {
                if (_delivered.Contains(offset))
                {
                    _handledAhead.Add(offset);
                }

                return _pending;
            }

            Advance(_delivered.Dequeue());
            while (_handledAhead.Count > 0 && _delivered.Count > 0 && _handledAhead.Remove(_delivered.Peek()))
            {
                Advance(_delivered.Dequeue());
            }

            return _pending;
        }
    }

    /// <summary>The offset to acknowledge now, if the watermark moved past the last acknowledged one.</summary>
    public bool TryTakeUnflushed(out ulong offset)
    {
        lock (_lock)
        {
            if (_watermark is { } watermark && (_flushed is null || watermark > _flushed))
            {
                offset = watermark;
                _taken = _pending;
                return true;
            }

            offset = 0;
            return false;
        }
    }

    public void MarkFlushed(ulong offset)
    {
        lock (_lock)
        {
            if (_flushed is null || offset > _flushed)
            {
                _flushed = offset;
            }

            // Records handled while the acknowledgement was on its way wait for the next one, counted from now.
            _pending = Math.Max(0, _pending - _taken);
            _taken = 0;
            _pendingSince = Stopwatch.GetTimestamp();
        }
    }

    private void Advance(ulong offset)
    {
        _watermark = offset;
        if (_pending++ == 0)
        {
            _pendingSince = Stopwatch.GetTimestamp();
        }
    }
}
