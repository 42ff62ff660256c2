namespace Liiklus.Storage.Records.Memory;

/// <summary>
/// One in-memory partition: an append-only log that keeps at most <c>retention</c> records (the oldest are
/// dropped, so the low watermark moves) and wakes readers that wait at its end.
/// </summary>
internal sealed class PartitionLog(int partition, int retention)
{
    private readonly Lock _lock = new();
    private readonly List<Action> _waiters = [];
    private StoredRecord[] _ring = new StoredRecord[Math.Min(retention, 64)];
    private long _lowWatermark;
    private long _nextOffset;

    public int Partition { get; } = partition;

    public (long LowWatermark, long NextOffset) Watermarks
    {
        get
        {
            lock (_lock)
            {
                return (_lowWatermark, _nextOffset);
            }
        }
    }

    public long Append(OutgoingRecord record)
    {
        Action[] toWake;
        long offset;
        lock (_lock)
        {
            offset = _nextOffset;
            if (_nextOffset - _lowWatermark == _ring.Length)
            {
                if (_ring.Length < retention)
                {
                    Grow();
                }
                else
                {
                    _lowWatermark++;
                }
            }

            _ring[offset % _ring.Length] = new StoredRecord(Partition, offset, record.Key, record.Value, record.Headers, record.Timestamp);
            _nextOffset++;
            toWake = _waiters.Count == 0 ? [] : [.. _waiters];
            _waiters.Clear();
        }

        foreach (var wake in toWake)
        {
            wake();
        }

        return offset;
    }

    /// <summary>
    /// Up to <paramref name="max"/> records from <paramref name="offset"/> on (from the oldest retained one when
    /// that offset was dropped). At the end of the log, none, and <paramref name="wakeOnAppend"/> is registered to
    /// be called once by the next append.
    /// </summary>
    public StoredRecord[] ReadOrWait(long offset, int max, Action wakeOnAppend)
    {
        lock (_lock)
        {
            var effective = Math.Max(offset, _lowWatermark);
            var count = (int)Math.Min(max, _nextOffset - effective);
            if (count <= 0)
            {
                _waiters.Add(wakeOnAppend);
                return [];
            }

            var records = new StoredRecord[count];
            for (var i = 0; i < count; i++)
            {
                records[i] = _ring[(effective + i) % _ring.Length];
            }

            return records;
        }
    }

    /// <summary>
    /// The offset of the first retained record stamped at or after <paramref name="timestamp"/>, or the next offset
    /// when there is none. Publishers stamp records with their own clocks (the gateway's when it publishes), so
    /// timestamps are not monotonic within a partition and no binary search can be trusted: this scans what the log
    /// holds, at most its retention.
    /// </summary>
    public long FirstAtOrAfter(DateTimeOffset timestamp)
    {
        lock (_lock)
        {
            for (var offset = _lowWatermark; offset < _nextOffset; offset++)
            {
                if (_ring[offset % _ring.Length].Timestamp >= timestamp)
                {
                    return offset;
                }
            }

            return _nextOffset;
        }
    }

    /// <summary>
    /// Registers <paramref name="wakeOnAppend"/> to be called once by the next append, unless a record at or after
    /// <paramref name="offset"/> is already there (false: nothing registered).
    /// </summary>
    public bool WaitForAppend(long offset, Action wakeOnAppend)
    {
        lock (_lock)
        {
            if (offset < _nextOffset)
            {
                return false;
            }

            _waiters.Add(wakeOnAppend);
            return true;
        }
    }

    /// <summary>
    /// Up to <paramref name="max"/> records from <paramref name="offset"/> on; null when that offset was dropped or is
    /// past the end (where a source would resolve it otherwise).
    /// </summary>
    public StoredRecord[]? ReadAt(long offset, int max)
    {
        lock (_lock)
        {
            if (offset < _lowWatermark || offset > _nextOffset)
            {
                return null;
            }

            var records = new StoredRecord[(int)Math.Min(max, _nextOffset - offset)];
            for (var i = 0; i < records.Length; i++)
            {
                records[i] = _ring[(offset + i) % _ring.Length];
            }

            return records;
        }
    }

    public void StopWaiting(Action wakeOnAppend)
    {
        lock (_lock)
        {
            _waiters.Remove(wakeOnAppend);
        }
    }

    /// <summary>
    /// Resolves a start position to the offset to read first. An offset past the end means the partition was recreated
    /// or truncated since it was stored: reading starts at the oldest retained record, as for any storage.
    /// </summary>
    public long Resolve(StartPosition start)
    {
        lock (_lock)
        {
            return start switch
            {
                StartPosition.OffsetPosition at when at.Offset > _nextOffset => _lowWatermark,
                StartPosition.OffsetPosition at => Math.Max(at.Offset, _lowWatermark),
                StartPosition.LatestPosition => _nextOffset,
                _ => _lowWatermark,
            };
        }
    }

    // Offsets map to slots by offset % length, so re-home every retained record when the ring doubles.
    private void Grow()
    {
        var grown = new StoredRecord[Math.Min(_ring.Length * 2, retention)];
        for (var offset = _lowWatermark; offset < _nextOffset; offset++)
        {
            grown[offset % grown.Length] = _ring[offset % _ring.Length];
        }

        _ring = grown;
    }
}
