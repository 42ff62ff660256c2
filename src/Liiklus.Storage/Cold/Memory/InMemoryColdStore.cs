using System.Runtime.CompilerServices;
using Liiklus.Storage.Cold.Format;

namespace Liiklus.Storage.Cold.Memory;

/// <summary>
/// A cold store in this process's memory, for tests and single-node trials: segments are kept in the segment format,
/// so reads go through the same footer and block checks as in S3 or PostgreSQL. Every range of a partition is
/// checked and written under one lock, so racing writers are answered in turn.
/// </summary>
public sealed class InMemoryColdStore : IColdStore
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, (ColdRange Range, byte[] Bytes)> _objects = new(StringComparer.Ordinal);
    private readonly int _blockBytes;
    private long _indexReads;
    private long _blockReads;

    /// <param name="blockBytes">uncompressed bytes after which a block is closed</param>
    public InMemoryColdStore(int blockBytes = ColdSegmentLayout.DefaultBlockBytes) => _blockBytes = blockBytes;

    /// <summary>Fetches of a footer so far (a footer larger than <see cref="ColdSegmentReader.TailGuess"/> takes two).</summary>
    public long IndexReads => Interlocked.Read(ref _indexReads);

    /// <summary>Fetches of a block so far.</summary>
    public long BlockReads => Interlocked.Read(ref _blockReads);

    public Task<ColdWriteResult> WriteSegmentAsync(
        string topic,
        int partition,
        long baseOffset,
        long nextOffset,
        IReadOnlyList<ColdRecord> records,
        CancellationToken cancellationToken)
    {
        var bytes = ColdSegmentWriter.Write(topic, partition, baseOffset, nextOffset, records, _blockBytes);
        var key = ColdKeys.Segment(topic, partition, baseOffset, nextOffset);
        return Task.FromResult(Write(topic, partition, new ColdSegment(topic, partition, baseOffset, nextOffset, key, bytes.Length), key, bytes));
    }

    public Task<ColdWriteResult> WriteGapAsync(string topic, int partition, long fromOffset, long toOffset, CancellationToken cancellationToken)
    {
        ColdSegmentWriter.CheckRange(fromOffset, toOffset);
        return Task.FromResult(Write(topic, partition, new ColdGap(topic, partition, fromOffset, toOffset), ColdKeys.Gap(topic, partition, fromOffset, toOffset), []));
    }

    public Task<ColdRange?> FindAsync(string topic, int partition, long offset, CancellationToken cancellationToken) =>
        Task.FromResult(ColdChain.Covering(Ranges(topic, partition), offset));

    public Task<long?> GetArchivedNextAsync(string topic, int partition, CancellationToken cancellationToken) =>
        Task.FromResult(ColdChain.ArchivedNext(Ranges(topic, partition)));

    public async IAsyncEnumerable<ColdRange> ListAsync(
        string topic,
        int partition,
        long fromOffset,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var range in Ranges(topic, partition).Where(range => range.NextOffset > fromOffset).OrderBy(range => range.BaseOffset).ThenBy(range => range.NextOffset))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return range;
        }
    }

    public Task<IReadOnlyList<ColdPartition>> ListPartitionsAsync(string? topic, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<ColdPartition> partitions = _objects.Values
                .Select(stored => new ColdPartition(stored.Range.Topic, stored.Range.Partition))
                .Where(found => topic is null || found.Topic == topic)
                .Distinct()
                .OrderBy(found => found.Topic, StringComparer.Ordinal)
                .ThenBy(found => found.Partition)
                .ToArray();
            return Task.FromResult(partitions);
        }
    }

    public Task<ColdSegmentIndex> ReadIndexAsync(ColdSegment segment, CancellationToken cancellationToken)
    {
        var bytes = BytesOf(segment.Key);
        var take = (int)Math.Min(ColdSegmentReader.TailGuess, bytes.Length);
        Interlocked.Increment(ref _indexReads);
        if (ColdSegmentReader.TryReadIndex(segment, bytes.AsSpan(bytes.Length - take), out var index, out var needed))
        {
            return Task.FromResult(index!);
        }

        Interlocked.Increment(ref _indexReads);
        return ColdSegmentReader.TryReadIndex(segment, bytes.AsSpan(bytes.Length - needed), out index, out _)
            ? Task.FromResult(index!)
            : throw new ColdSegmentCorruptException(segment.Key, null, "its footer does not fit the length its trailer gives");
    }

    public Task<ColdBlock> ReadBlockAsync(ColdSegmentIndex index, int block, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(block);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(block, index.Blocks.Count);
        var bytes = BytesOf(index.Segment.Key);
        var info = index.Blocks[block];
        Interlocked.Increment(ref _blockReads);
        return Task.FromResult(ColdSegmentReader.ReadBlock(index, block, bytes.AsSpan((int)info.Position, info.CompressedLength)));
    }

    /// <summary>Flips one stored byte, as a failing disk would.</summary>
    internal void Corrupt(string key, long position)
    {
        lock (_lock)
        {
            _objects[key].Bytes[position] ^= 0x5A;
        }
    }

    private ColdWriteResult Write(string topic, int partition, ColdRange range, string key, byte[] bytes)
    {
        lock (_lock)
        {
            var existing = RangesLocked(topic, partition);
            var outcome = ColdChain.Check(existing, range is ColdSegment, range.BaseOffset, range.NextOffset);
            if (outcome is null)
            {
                _objects[key] = (range, bytes);
                existing.Add(range);
            }

            return new ColdWriteResult(outcome ?? ColdWriteOutcome.Written, ColdChain.ArchivedNext(existing));
        }
    }

    private List<ColdRange> Ranges(string topic, int partition)
    {
        lock (_lock)
        {
            return RangesLocked(topic, partition);
        }
    }

    private List<ColdRange> RangesLocked(string topic, int partition)
    {
        var prefix = ColdKeys.PartitionPrefix(topic, partition);
        return _objects
            .Where(stored => stored.Key.StartsWith(prefix, StringComparison.Ordinal) && stored.Value.Range.Topic == topic)
            .Select(stored => stored.Value.Range)
            .ToList();
    }

    private byte[] BytesOf(string key)
    {
        lock (_lock)
        {
            return _objects.TryGetValue(key, out var stored)
                ? stored.Bytes
                : throw new ColdSegmentCorruptException(key, null, "it is not in the store (deleted after it was listed)");
        }
    }
}
