using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Liiklus.Storage.Records.Kafka;

/// <summary>
/// One partition source's bounded buffer of chunks (each at most <see cref="RecordChunk.MaxRecords"/> consecutive
/// records), between the pooled consumer's poll thread, which adds them and pauses or resumes the partition, and the
/// stream stage, which takes one per downstream pull.
/// </summary>
internal sealed class PartitionReader(
    TopicPartition topicPartition,
    StartPosition start,
    int maxRecords,
    long maxBytes,
    Action onAvailable,
    Action<Exception> onFailed)
{
    private readonly ConcurrentQueue<(StoredRecord[] Records, long Bytes)> _chunks = new();
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

    /// <summary>Whether the buffer, with <paramref name="records"/> more of <paramref name="bytes"/>, reaches its bound.</summary>
    public bool IsFullWith(int records, long bytes) =>
        Volatile.Read(ref _count) + records >= maxRecords || Interlocked.Read(ref _bytes) + bytes >= maxBytes;

    public bool IsDrained => Volatile.Read(ref _count) <= maxRecords / 2 && Interlocked.Read(ref _bytes) <= maxBytes / 2;

    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Poll thread: buffers consecutive records, handed over together so that the stage is woken (a hop to another
    /// thread) at most once per chunk rather than once per record.
    /// </summary>
    /// <param name="bytes">the chunk's size by <see cref="SizeOf"/>, summed as its records were accepted</param>
    public void Add(StoredRecord[] chunk, long bytes)
    {
        _chunks.Enqueue((chunk, bytes));
        Interlocked.Add(ref _count, chunk.Length);
        Interlocked.Add(ref _bytes, bytes);
        if (Interlocked.Exchange(ref _stageWaiting, 0) == 1)
        {
            onAvailable();
        }
    }

    /// <summary>Stage: takes the oldest chunk; when there is none, asks to be woken by the next one.</summary>
    public StoredRecord[] TryTake()
    {
        if (!_chunks.TryDequeue(out var chunk))
        {
            Volatile.Write(ref _stageWaiting, 1);
            // A chunk added between the miss and the flag would otherwise wait for the one after it.
            if (!_chunks.TryDequeue(out chunk))
            {
                return [];
            }

            Interlocked.Exchange(ref _stageWaiting, 0);
        }

        Interlocked.Add(ref _count, -chunk.Records.Length);
        Interlocked.Add(ref _bytes, -chunk.Bytes);
        return chunk.Records;
    }

    /// <summary>Poll thread: ends the stage with <paramref name="cause"/>; later records are not routed to it.</summary>
    public void Fail(Exception cause)
    {
        Failed = true;
        onFailed(cause);
    }

    /// <summary>Key, value and header bytes: what the buffer's byte bound counts.</summary>
    public static int SizeOf(StoredRecord record)
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
