namespace Liiklus.Client;

/// <summary>
/// The highest contiguous handled offset of one partition: records may be marked handled out of order, the
/// watermark only passes an offset once every record delivered before it is handled too.
/// </summary>
internal sealed class AckTracker(ulong? handled, ulong? flushed)
{
    private readonly Lock _lock = new();
    private readonly Queue<ulong> _delivered = new();
    private readonly HashSet<ulong> _handledAhead = [];
    private ulong? _watermark = handled;
    private ulong? _flushed = flushed;
    private int _pending;

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

    public void Delivered(ulong offset)
    {
        lock (_lock)
        {
            _delivered.Enqueue(offset);
        }
    }

    public void Handled(ulong offset)
    {
        lock (_lock)
        {
            if (_delivered.Count == 0 || _delivered.Peek() != offset)
            {
                if (_delivered.Contains(offset))
                {
                    _handledAhead.Add(offset);
                }

                return;
            }

            Advance(_delivered.Dequeue());
            while (_delivered.Count > 0 && _handledAhead.Remove(_delivered.Peek()))
            {
                Advance(_delivered.Dequeue());
            }
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

            _pending = 0;
        }
    }

    private void Advance(ulong offset)
    {
        _watermark = offset;
        _pending++;
    }
}
