using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Liiklus.Storage.Records.Kafka;

/// <summary>
/// A bounded buffer of one partition's records between a pooled consumer's poll thread, which adds chunks of up to
/// <see cref="ChunkBounds.MaxRecords"/> consecutive records and pauses or resumes the partition, and one reading stage,
/// which takes a chunk per downstream pull. Buffered bytes are taken from the node's <see cref="ByteBudget"/>, so a
/// full node pauses every partition instead of growing.
/// </summary>
internal sealed class PartitionBuffer(
    TopicPartition topicPartition,
    long startOffset,
    int maxRecords,
    long maxBytes,
    ByteBudget budget,
    Action onAvailable,
    Action<Exception> onFailed)
{
    private readonly ConcurrentQueue<(StoredRecord[] Records, long Bytes)> _chunks = new();
    private int _count;
    private long _bytes;
    private int _stageWaiting;
    private int _closed;
    private volatile bool _evicted;
    private volatile bool _paused;

    public TopicPartition TopicPartition { get; } = topicPartition;

    /// <summary>
    /// Whether the pool may take this buffer's consumer slot away while its stream is not reading (a catch-up reader):
    /// its stage drains what it holds and then attaches again at <see cref="NextOffset"/>.
    /// </summary>
    public bool Evictable { get; init; }

    /// <summary>The consumer that serves this buffer; set and read under the pool's lock.</summary>
    public PooledConsumer? Consumer { get; set; }

    // The state below belongs to the poll thread while the buffer is attached, and to the stage after an eviction.

    /// <summary>The offset to fetch next: the start until a record is accepted, then the one after the last.</summary>
    public long NextOffset { get; set; } = startOffset;

    /// <summary>Whether a record has been accepted yet (before that, Kafka may still move the start: out of range).</summary>
    public bool Started { get; set; }

    /// <summary>Poll thread writes it; the pool reads it to find a slot it may take.</summary>
    public bool Paused
    {
        get => _paused;
        set => _paused = value;
    }

    public bool Failed { get; private set; }

    /// <summary>Set by the pool when it took the slot of this buffer for another reader.</summary>
    public bool Evicted => _evicted;

    /// <summary>Whether the stage asked for records and found none: it reads, so its slot is not taken away.</summary>
    public bool StageWaiting => Volatile.Read(ref _stageWaiting) == 1;

    public int Count => Volatile.Read(ref _count);

    // Read for every record the poll thread accepts: a plain atomic read, not Interlocked.Read's locked exchange on a
    // line the stage writes.
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Whether the buffer, with <paramref name="records"/> more of <paramref name="bytes"/>, reaches a bound.</summary>
    public bool IsFullWith(int records, long bytes) =>
        Count + records >= maxRecords || Bytes + bytes >= maxBytes || !budget.HasRoomFor(bytes);

    /// <summary>Drained enough to fetch again: half its own bounds, and room left in the node's budget.</summary>
    public bool IsDrained => Count <= maxRecords / 2 && Bytes <= maxBytes / 2 && budget.HasRoomFor(maxBytes / 2);

    /// <summary>
    /// Poll thread: buffers consecutive records, handed over together so that the stage is woken (a hop to another
    /// thread) at most once per chunk rather than once per record.
    /// </summary>
    /// <param name="bytes">the chunk's size (<see cref="StoredRecord.SizeInBytes"/>), summed as its records were accepted</param>
    public void Add(StoredRecord[] chunk, long bytes)
    {
        budget.Take(bytes);
        _chunks.Enqueue((chunk, bytes));
        Interlocked.Add(ref _count, chunk.Length);
        Interlocked.Add(ref _bytes, bytes);
        // The enqueue above is a full fence, as is Close's exchange: one of the two sees the other.
        if (Volatile.Read(ref _closed) == 1)
        {
            // The stage went away meanwhile: nobody takes these.
            Discard();
            return;
        }

        WakeStage();
    }

    /// <summary>Stage: takes the oldest chunk; when there is none, asks to be woken by the next one.</summary>
    public StoredRecord[] TryTake()
    {
        if (!_chunks.TryDequeue(out var chunk))
        {
            // A full fence, so that the check below cannot be read before the flag is seen: a chunk added between the
            // miss and the flag would otherwise wait for the one after it (or forever, on a quiet partition).
            Interlocked.Exchange(ref _stageWaiting, 1);
            if (!_chunks.TryDequeue(out chunk))
            {
                return [];
            }

            Interlocked.Exchange(ref _stageWaiting, 0);
        }

        Taken(chunk);
        return chunk.Records;
    }

    /// <summary>Stage: it reads no more; whatever is buffered goes back to the budget.</summary>
    public void Close()
    {
        Interlocked.Exchange(ref _closed, 1);
        Discard();
    }

    /// <summary>Pool: the slot of this buffer went to another reader; the stage attaches again once drained.</summary>
    public void Evict()
    {
        _evicted = true;
        WakeStage();
    }

    /// <summary>Pool: attached to a consumer again after an eviction; the new consumer has not paused it.</summary>
    public void Reattached()
    {
        _evicted = false;
        Paused = false;
    }

    /// <summary>Poll thread: ends the stage with <paramref name="cause"/>; later records are not routed to it.</summary>
    public void Fail(Exception cause)
    {
        Failed = true;
        onFailed(cause);
    }

    private void WakeStage()
    {
        if (Interlocked.Exchange(ref _stageWaiting, 0) == 1)
        {
            onAvailable();
        }
    }

    private void Discard()
    {
        while (_chunks.TryDequeue(out var chunk))
        {
            Taken(chunk);
        }
    }

    private void Taken((StoredRecord[] Records, long Bytes) chunk)
    {
        Interlocked.Add(ref _count, -chunk.Records.Length);
        Interlocked.Add(ref _bytes, -chunk.Bytes);
        budget.Release(chunk.Bytes);
    }
}
