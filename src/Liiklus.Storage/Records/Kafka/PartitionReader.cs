using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Liiklus.Storage.Records.Kafka;

/// <summary>
/// One partition source's bounded buffer, between the pooled consumer's poll thread, which adds records and
/// pauses or resumes the partition, and the stream stage, which takes them as downstream pulls.
/// </summary>
internal sealed class PartitionReader(
    TopicPartition topicPartition,
    StartPosition start,
    int maxRecords,
    long maxBytes,
    Action onAvailable,
    Action<Exception> onFailed)
{
    private readonly ConcurrentQueue<(StoredRecord Record, int Size)> _buffer = new();
    private int _count;
    private long _bytes;
    private int _stageWaiting;

    public TopicPartition TopicPartition { get; } = topicPartition;

    public StartPosition Start { get; } = start;

    /// <summary>The consumer that serves this reader; set and read under the pool's lock.</summary>
    public PooledConsumer? Consumer { get; set; }

    // The state below belongs to the poll thread.

    /// <summary>The offset after the last record accepted, or -1 before the first.</summary>
    public long NextOffset { get; set; } = -1;

    public bool Paused { get; set; }

    public bool Failed { get; private set; }

    public bool IsFull => Volatile.Read(ref _count) >= maxRecords || Interlocked.Read(ref _bytes) >= maxBytes;

    public bool IsDrained => Volatile.Read(ref _count) <= maxRecords / 2 && Interlocked.Read(ref _bytes) <= maxBytes / 2;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Poll thread: buffers a record and wakes the stage when it waits for one.</summary>
    public void Add(StoredRecord record)
    {
        var size = SizeOf(record);
        _buffer.Enqueue((record, size));
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _bytes, size);
        NextOffset = record.Offset + 1;
        if (Interlocked.Exchange(ref _stageWaiting, 0) == 1)
        {
            onAvailable();
        }
    }

    /// <summary>
    /// Stage: takes the oldest records, up to <paramref name="max"/>; when there are none, asks to be woken by
    /// the next one.
    /// </summary>
    public StoredRecord[] TryTake(int max)
    {
        if (!TryDequeue(out var first))
        {
            Volatile.Write(ref _stageWaiting, 1);
            // A record added between the miss and the flag would otherwise wait for the one after it.
            if (!TryDequeue(out first))
            {
                return [];
            }

            Interlocked.Exchange(ref _stageWaiting, 0);
        }

        var chunk = new StoredRecord[Math.Clamp(Volatile.Read(ref _count) + 1, 1, max)];
        chunk[0] = first;
        var taken = 1;
        while (taken < chunk.Length && TryDequeue(out var next))
        {
            chunk[taken++] = next;
        }

        return taken == chunk.Length ? chunk : chunk[..taken];
    }

    /// <summary>Poll thread: ends the stage with <paramref name="cause"/>; later records are not routed to it.</summary>
    public void Fail(Exception cause)
    {
        Failed = true;
        onFailed(cause);
    }

    private bool TryDequeue(out StoredRecord record)
    {
        if (_buffer.TryDequeue(out var entry))
        {
            Interlocked.Decrement(ref _count);
            Interlocked.Add(ref _bytes, -entry.Size);
            record = entry.Record;
            return true;
        }

        record = null!;
        return false;
    }

    private static int SizeOf(StoredRecord record)
    {
        var size = (record.Key?.Length ?? 0) + record.Value.Length;
        // Indexed: this runs on the poll thread for every record, where foreach's interface enumerator showed in profiles.
        var headers = record.Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            var header = headers[i];
            size += header.Name.Length + header.Value.Length;
        }

        return size;
    }
}
