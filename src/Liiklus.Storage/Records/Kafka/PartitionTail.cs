using Confluent.Kafka;

namespace Liiklus.Storage.Records.Kafka;

/// <summary>
/// The shared window of one topic-partition's tail on this node: the newest records fetched once by its
/// <see cref="PartitionTailHub"/>, read in place by every stream positioned inside it, whatever its group. The window
/// covers the offsets [<c>Start</c>, <c>End</c>): every record of the partition in that range is held. It is bounded
/// in bytes, its own and, with every other window of the node, <paramref name="windows"/>: the oldest records go first
/// (a window never waits for room, it is a cache), and a reader whose next record went with them is told it is behind
/// (it then catches up through a reader of its own). Appends wake the readers waiting at the end. What readers
/// catching up read just before the window goes into it too while it has room (<see cref="Prepend"/>), so that many
/// groups replaying the same history fetch it once, not once each.
/// </summary>
/// <param name="maxBytes">this window's bound now: its share of the node's windows</param>
internal sealed class PartitionTail(TopicPartition topicPartition, Func<long> maxBytes, ByteBudget windows)
{
    private readonly Lock _lock = new();
    // A set: each reader has one wake callback, asked for again on every wait.
    private readonly HashSet<Action> _waiting = [];
    private StoredRecord[] _records = new StoredRecord[64];
    private int[] _sizes = new int[64];
    // The window holds the records numbered [_firstSequence, _nextSequence) in offset order, at sequence % length.
    // Numbering starts far from zero so that records put before the first one keep positive numbers.
    private const long FirstSequence = 1L << 40;
    private long _firstSequence = FirstSequence;
    private long _nextSequence = FirstSequence;
    private long _bytes;
    private long _start;
    private long _end;
    private bool _resolved;
    private Exception? _failure;
    // The highest log start offset seen for the partition (a lower bound of where it starts now: retention only moves
    // it forward), or -1 while none was seen.
    private long _logStartSeen = -1;
    // Records readers catching up read before the window, [_historyFrom, _historyEnd), kept until they reach it.
    private readonly List<StoredRecord> _history = [];
    private long _historyFrom;
    private long _historyEnd;
    private long _historyBytes;

    public TopicPartition TopicPartition { get; } = topicPartition;

    /// <summary>Streams reading through this tail, at it or catching up to it; guarded by its registry's lock.</summary>
    public int Members { get; set; }

    /// <summary>Why the shared fetch last failed: the readers' failure once it is not restarted any more.</summary>
    public Exception? LastFetchFailure { get; set; }

    /// <summary>Set by the running hub: called when the last member left, so the hub can stop after a while.</summary>
    public Action? OnIdle { get; set; }

    /// <summary>What the window holds now; null until the hub knows where its fetch starts.</summary>
    public (long Start, long End, long Bytes, int Records)? Window
    {
        get
        {
            lock (_lock)
            {
                return _resolved ? (_start, _end, _bytes, (int)(_nextSequence - _firstSequence)) : null;
            }
        }
    }

    /// <summary>The hub's fetch starts at <paramref name="offset"/>, the partition's end when the hub started.</summary>
    public void Resolve(long offset)
    {
        lock (_lock)
        {
            _start = _end = offset;
            _resolved = true;
            if (offset == 0)
            {
                // A partition that ends at 0 starts there too.
                _logStartSeen = Math.Max(_logStartSeen, 0);
            }
        }

        WakeWaiting();
    }

    /// <summary>
    /// A reader learnt from the brokers that the partition's oldest retained record is at <paramref name="offset"/>; the
    /// partition starts there or later from now on.
    /// </summary>
    public void SawLogStart(long offset)
    {
        lock (_lock)
        {
            _logStartSeen = Math.Max(_logStartSeen, offset);
        }
    }

    /// <summary>
    /// The latest log start offset a reader learnt (see <see cref="SawLogStart"/>), window or not; null when none did.
    /// The partition starts there or later: retention may have deleted more since.
    /// </summary>
    public long? LogStartSeen
    {
        get
        {
            lock (_lock)
            {
                return _logStartSeen >= 0 ? _logStartSeen : null;
            }
        }
    }

    /// <summary>
    /// Where a reader from the earliest position starts reading the window, when the window knows without I/O that it
    /// holds every record from there on: a log start offset seen earlier lies inside it. Records retention deleted
    /// since may still be read from the window, none is skipped. Null when not known.
    /// </summary>
    public long? EarliestInWindow()
    {
        lock (_lock)
        {
            return _resolved && _failure is null && _logStartSeen >= _start && _logStartSeen <= _end ? _logStartSeen : null;
        }
    }

    /// <summary>The hub's fetch failed: every member fails with <paramref name="cause"/>.</summary>
    public void Fail(Exception cause)
    {
        lock (_lock)
        {
            _failure ??= cause;
        }

        WakeWaiting();
    }

    public void Append(IReadOnlyList<StoredRecord> chunk)
    {
        lock (_lock)
        {
            foreach (var record in chunk)
            {
                if (record.Offset < _end)
                {
                    continue;
                }

                if (_nextSequence - _firstSequence == _records.Length)
                {
                    Grow();
                }

                var size = record.SizeInBytes;
                var slot = (int)(_nextSequence % _records.Length);
                _records[slot] = record;
                _sizes[slot] = size;
                _nextSequence++;
                _bytes += size;
                _end = record.Offset + 1;
                windows.Take(size);
            }

            // At least the newest record stays, so a record larger than the window still reaches the readers at the end.
            var max = maxBytes();
            if (_history.Count > 0 && (_bytes + _historyBytes > max || windows.Used > windows.Capacity))
            {
                DropHistory();
            }

            while ((_bytes > max || windows.Used > windows.Capacity) && _nextSequence - _firstSequence > 1)
            {
                EvictOldest();
            }
        }

        WakeWaiting();
    }

    /// <summary>
    /// Takes the records a reader catching up read from <paramref name="from"/> on (every record of the partition from
    /// there to the last of <paramref name="run"/>, in order). Runs that follow one another are kept together as one
    /// history run while it fits the window's bound; once the history reaches the window's start it goes before the
    /// window, which then starts where the history does, and the readers waiting for those records are woken to read
    /// them here instead of fetching them again.
    /// </summary>
    public void Prepend(long from, IReadOnlyList<StoredRecord> run)
    {
        lock (_lock)
        {
            if (!_resolved || _failure is not null || run.Count == 0 || from >= _start)
            {
                return;
            }

            if (!ExtendHistory(from, run))
            {
                return;
            }

            if (_historyEnd < _start)
            {
                return;
            }

            PutHistoryBeforeWindow();
        }

        WakeWaiting();
    }

    // Adds what the run holds past the history's end, when it starts at or before that end (or starts a history).
    private bool ExtendHistory(long from, IReadOnlyList<StoredRecord> run)
    {
        if (_history.Count == 0 || from > _historyEnd || from < _historyFrom)
        {
            if (_history.Count > 0 && from >= _historyFrom)
            {
                // A gap after the history: it cannot be continued by this run.
                return false;
            }

            DropHistory();
            _historyFrom = from;
            _historyEnd = from;
        }

        long bytes = 0;
        var added = 0;
        foreach (var record in run)
        {
            if (record.Offset < _historyEnd || record.Offset >= _start)
            {
                continue;
            }

            _history.Add(record);
            bytes += record.SizeInBytes;
            added++;
        }

        _historyEnd = Math.Max(_historyEnd, run[^1].Offset + 1);
        // A cache of history, never a reason to give up the tail: it is kept only while the window has room for it.
        if (_bytes + _historyBytes + bytes > maxBytes() || !windows.HasRoomFor(bytes))
        {
            _history.RemoveRange(_history.Count - added, added);
            DropHistory();
            return false;
        }

        _historyBytes += bytes;
        windows.Take(bytes);
        return true;
    }

    private void PutHistoryBeforeWindow()
    {
        while (_nextSequence - _firstSequence + _history.Count > _records.Length)
        {
            Grow();
        }

        for (var i = _history.Count - 1; i >= 0; i--)
        {
            _firstSequence--;
            var slot = (int)(_firstSequence % _records.Length);
            _records[slot] = _history[i];
            _sizes[slot] = _history[i].SizeInBytes;
        }

        // The history's bytes were taken from the windows when kept: they now count as the window's.
        _bytes += _historyBytes;
        _start = _historyFrom;
        _history.Clear();
        _historyBytes = 0;
    }

    private void DropHistory()
    {
        windows.Release(_historyBytes);
        _history.Clear();
        _historyBytes = 0;
    }

    /// <summary>
    /// Places a reader whose next record is <paramref name="offset"/>: inside the window it gets the sequence to read
    /// from; outside it (behind the window or past its end) it reads on its own. Before the hub knows where it
    /// started, <paramref name="wake"/> is called once it does.
    /// </summary>
    public JoinResult Join(long offset, Action wake, out long sequence)
    {
        sequence = 0;
        lock (_lock)
        {
            if (_failure is not null)
            {
                return JoinResult.Failed;
            }

            if (!_resolved)
            {
                _waiting.Add(wake);
                return JoinResult.NotYet;
            }

            if (offset < _start || offset > _end)
            {
                return JoinResult.Outside;
            }

            sequence = SequenceOf(offset);
            return JoinResult.Joined;
        }
    }

    /// <summary>Places a reader at the end of the window: it reads only records fetched from now on.</summary>
    public JoinResult JoinAtEnd(Action wake, out long sequence, out long offset)
    {
        sequence = offset = 0;
        lock (_lock)
        {
            if (_failure is not null)
            {
                return JoinResult.Failed;
            }

            if (!_resolved)
            {
                _waiting.Add(wake);
                return JoinResult.NotYet;
            }

            sequence = _nextSequence;
            offset = _end;
            return JoinResult.Joined;
        }
    }

    /// <summary>
    /// Up to <paramref name="max"/> records from <paramref name="sequence"/> on, which it advances. None at the end of
    /// the window, and <paramref name="wake"/> is called by the next append; null when those records were evicted.
    /// </summary>
    /// <exception cref="Exception">the hub failed; the failure is rethrown as it came</exception>
    public StoredRecord[]? Read(ref long sequence, int max, Action wake)
    {
        lock (_lock)
        {
            if (_failure is not null)
            {
                // Each reader fails with an exception of its own: one object thrown by many streams at once would mix
                // their stack traces.
                throw StorageUnavailableException.Records($"the shared fetch of {TopicPartition} failed: {_failure.Message}", _failure);
            }

            if (sequence < _firstSequence)
            {
                return null;
            }

            var count = (int)Math.Min(max, _nextSequence - sequence);
            if (count <= 0)
            {
                _waiting.Add(wake);
                return [];
            }

            var records = new StoredRecord[count];
            for (var i = 0; i < count; i++)
            {
                records[i] = _records[(int)((sequence + i) % _records.Length)];
            }

            sequence += count;
            return records;
        }
    }

    /// <summary>
    /// Up to <paramref name="max"/> records of the window from <paramref name="offset"/> on, for a reader that is not
    /// placed in it; null when the offset is outside the window, or the window does not know where it starts or failed.
    /// </summary>
    public StoredRecord[]? ReadAt(long offset, int max)
    {
        lock (_lock)
        {
            if (_failure is not null || !_resolved || offset < _start || offset > _end)
            {
                return null;
            }

            var sequence = SequenceOf(offset);
            var records = new StoredRecord[(int)Math.Min(max, _nextSequence - sequence)];
            for (var i = 0; i < records.Length; i++)
            {
                records[i] = _records[(int)((sequence + i) % _records.Length)];
            }

            return records;
        }
    }

    /// <summary>Calls <paramref name="wake"/> once on the next append (or failure).</summary>
    public void WakeOnAppend(Action wake)
    {
        lock (_lock)
        {
            _waiting.Add(wake);
        }
    }

    /// <summary>A reader leaves: its wake callback is not kept for an append that no longer concerns it.</summary>
    public void Forget(Action wake)
    {
        lock (_lock)
        {
            _waiting.Remove(wake);
        }
    }

    /// <summary>The hub stopped: what the window held goes back to the budget.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            while (_nextSequence > _firstSequence)
            {
                EvictOldest();
            }

            DropHistory();
        }
    }

    private void EvictOldest()
    {
        var slot = (int)(_firstSequence % _records.Length);
        var evicted = _records[slot];
        windows.Release(_sizes[slot]);
        _bytes -= _sizes[slot];
        _records[slot] = null!;
        _firstSequence++;
        _start = evicted.Offset + 1;
    }

    // The first sequence whose record is at or after the offset: offsets may skip (compaction, transaction markers).
    private long SequenceOf(long offset)
    {
        long low = _firstSequence, high = _nextSequence;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (_records[(int)(middle % _records.Length)].Offset < offset)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    // Sequences map to slots by sequence % length, so re-home every held record when the ring doubles.
    private void Grow()
    {
        var records = new StoredRecord[_records.Length * 2];
        var sizes = new int[records.Length];
        for (var sequence = _firstSequence; sequence < _nextSequence; sequence++)
        {
            records[sequence % records.Length] = _records[sequence % _records.Length];
            sizes[sequence % records.Length] = _sizes[sequence % _sizes.Length];
        }

        _records = records;
        _sizes = sizes;
    }

    private void WakeWaiting()
    {
        Action[] waking;
        lock (_lock)
        {
            if (_waiting.Count == 0)
            {
                return;
            }

            waking = [.. _waiting];
            _waiting.Clear();
        }

        foreach (var wake in waking)
        {
            wake();
        }
    }
}
