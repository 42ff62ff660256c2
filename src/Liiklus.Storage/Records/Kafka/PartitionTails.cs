using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;

namespace Liiklus.Storage.Records.Kafka;

/// <summary>
/// The node's shared tails, one per topic-partition that some stream reads: created by the first stream that reads the
/// partition, started at the partition's end, and stopped by its hub once no stream has used it for the idle timeout.
/// Their windows together stay within <see cref="KafkaRecordsOptions.SharedTailWindowsBytes"/>, apart from the node's
/// receive budget: windows are caches that shrink rather than wait, and must never stall the streams the budget holds.
/// A tail's fetch that fails starts again from the window's end with backoff; only a fetch that keeps failing fails
/// the tail's readers.
/// </summary>
/// <param name="fetch">one partition's records from an offset on (the shared fetch); empty once the storage stops</param>
/// <param name="fetchFailed">told of each failure of a shared fetch, restarted or not</param>
internal sealed class PartitionTails(
    KafkaRecordsOptions options,
    Func<IMaterializer> materializer,
    Func<TopicPartition, CancellationToken, Task<long>> endOffset,
    Func<TopicPartition, long, Source<IReadOnlyList<StoredRecord>, NotUsed>> fetch,
    Action<TopicPartition, Exception> fetchFailed)
{
    private static readonly TimeSpan RestartWindow = TimeSpan.FromMinutes(1);
    private readonly Lock _lock = new();
    private readonly ByteBudget _windows = new(options.SharedTailWindowsBytes);
    private readonly Dictionary<TopicPartition, PartitionTail> _tails = [];
    private int _running;

    /// <summary>
    /// What one window may hold: its own bound, or its share of the node's windows when many partitions are read, so
    /// that together they stay within theirs as each appends.
    /// </summary>
    private long WindowShare() =>
        Math.Min(options.SharedTailWindowBytes, options.SharedTailWindowsBytes / Math.Max(1, Volatile.Read(ref _running)));

    /// <summary>Bytes the windows hold together.</summary>
    public long WindowBytes => _windows.Used;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _tails.Count;
            }
        }
    }

    /// <summary>The running tail of <paramref name="topicPartition"/>, if it has one; the caller does not join it.</summary>
    public PartitionTail? Find(TopicPartition topicPartition)
    {
        lock (_lock)
        {
            return _tails.GetValueOrDefault(topicPartition);
        }
    }

    /// <summary>The window of <paramref name="topicPartition"/>'s tail, if it has a running one that knows where it starts.</summary>
    public (long Start, long End, long Bytes, int Records)? WindowOf(TopicPartition topicPartition)
    {
        lock (_lock)
        {
            return _tails.TryGetValue(topicPartition, out var tail) ? tail.Window : null;
        }
    }

    /// <summary>The tail of <paramref name="topicPartition"/>, started when it had none; the caller is one more member.</summary>
    public PartitionTail Join(TopicPartition topicPartition)
    {
        PartitionTail tail;
        var created = false;
        lock (_lock)
        {
            if (!_tails.TryGetValue(topicPartition, out tail!))
            {
                tail = new PartitionTail(topicPartition, WindowShare, _windows);
                _tails[topicPartition] = tail;
                _running = _tails.Count;
                created = true;
            }

            tail.Members++;
        }

        if (created)
        {
            Start(tail);
        }

        return tail;
    }

    public void Leave(PartitionTail tail)
    {
        Action? idle = null;
        lock (_lock)
        {
            if (--tail.Members == 0)
            {
                idle = tail.OnIdle;
            }
        }

        idle?.Invoke();
    }

    public bool IsIdle(PartitionTail tail)
    {
        lock (_lock)
        {
            return tail.Members == 0;
        }
    }

    /// <summary>Removes an idle tail so that no stream joins it any more; false when one joined meanwhile.</summary>
    public bool TryRemoveIdle(PartitionTail tail)
    {
        lock (_lock)
        {
            return tail.Members == 0 && Remove(tail);
        }
    }

    /// <summary>The hub stopped (idle, failed or shut down): the next stream of its partition starts a new tail.</summary>
    public void Stopped(PartitionTail tail)
    {
        lock (_lock)
        {
            Remove(tail);
        }
    }

    private bool Remove(PartitionTail tail)
    {
        var removed = _tails.TryGetValue(tail.TopicPartition, out var current) && current == tail && _tails.Remove(tail.TopicPartition);
        _running = _tails.Count;
        return removed;
    }

    private void Start(PartitionTail tail)
    {
        var restarts = RestartSettings.Create(options.SharedTailRestartMinBackoff, options.SharedTailRestartMaxBackoff, 0.2)
            .WithMaxRestarts(options.SharedTailMaxRestarts, RestartWindow);
        try
        {
            RestartSource.OnFailuresWithBackoff(() => FetchFromEnd(tail), restarts)
                .RunWith(new PartitionTailHub(tail, this, options.SharedTailIdleTimeout), materializer());
        }
        catch (Exception e)
        {
            tail.Fail(e);
            Stopped(tail);
        }
    }

    /// <summary>
    /// The tail's fetch from where its window ends: the partition's end when it starts, the next offset after a
    /// restart, so that nothing is skipped (records it already holds are not appended twice).
    /// </summary>
    private Source<IReadOnlyList<StoredRecord>, NotUsed> FetchFromEnd(PartitionTail tail) =>
        Source.FromTask(ResolveEndAsync(tail))
            .ConcatMany(offset => fetch(tail.TopicPartition, offset))
            .SelectError(cause =>
            {
                tail.LastFetchFailure = cause;
                fetchFailed(tail.TopicPartition, cause);
                return cause;
            });

    private async Task<long> ResolveEndAsync(PartitionTail tail)
    {
        if (tail.Window is { } window)
        {
            return window.End;
        }

        var end = await endOffset(tail.TopicPartition, CancellationToken.None).ConfigureAwait(false);
        tail.Resolve(end);
        return end;
    }
}
