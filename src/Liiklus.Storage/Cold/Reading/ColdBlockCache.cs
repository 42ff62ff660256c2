using Liiklus.Storage.Cold.Telemetry;

namespace Liiklus.Storage.Cold.Reading;

/// <summary>
/// The node's blocks read from the cold store, shared by every reader whatever its group: a block is fetched once
/// while it stays cached, and readers asking for a block already being fetched wait for that one fetch. Bounded in
/// bytes (records as the receive path counts them); the least recently read blocks go first. Segment indexes are
/// kept too, a bounded number of them.
/// </summary>
public sealed class ColdBlockCache
{
    private const int MaxIndexes = 4096;
    private readonly IColdStore _store;
    private readonly long _maxBytes;
    private readonly ColdMetrics _metrics;
    private readonly Lock _lock = new();
    private readonly Dictionary<ColdBlockId, LinkedListNode<(ColdBlockId Id, CachedBlock Block)>> _blocks = [];
    private readonly LinkedList<(ColdBlockId Id, CachedBlock Block)> _recency = new();
    private readonly Dictionary<ColdBlockId, Task<CachedBlock>> _loading = [];
    private readonly Dictionary<string, Task<ColdSegmentIndex>> _indexes = [];
    private long _bytes;

    public ColdBlockCache(IColdStore store, long maxBytes, ColdMetrics metrics)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        _store = store;
        _maxBytes = maxBytes;
        _metrics = metrics;
    }

    /// <summary>Bytes of blocks held now.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>A segment's index, fetched once while kept.</summary>
    public Task<ColdSegmentIndex> IndexAsync(ColdSegment segment, CancellationToken cancellationToken)
    {
        Task<ColdSegmentIndex> index;
        lock (_lock)
        {
            if (!_indexes.TryGetValue(segment.Key, out index!) || index.IsFaulted || index.IsCanceled)
            {
                if (_indexes.Count >= MaxIndexes)
                {
                    _indexes.Clear();
                }

                // Not the reader's token: other readers may wait for the same fetch. The store has deadlines of its own.
                index = _store.ReadIndexAsync(segment, CancellationToken.None);
                _indexes[segment.Key] = index;
            }
        }

        return index.WaitAsync(cancellationToken);
    }

    /// <summary>A block of a segment for <paramref name="partition"/>'s readers: from the cache, or fetched once.</summary>
    public Task<CachedBlock> BlockAsync(ColdSegmentIndex index, int block, int partition, CancellationToken cancellationToken)
    {
        var id = index.BlockId(block);
        Task<CachedBlock> loading;
        lock (_lock)
        {
            if (_blocks.TryGetValue(id, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                _metrics.BlockHit();
                return Task.FromResult(node.Value.Block);
            }

            if (_loading.TryGetValue(id, out loading!))
            {
                _metrics.BlockHit();
            }
            else
            {
                loading = LoadAsync(index, block, partition, id);
                // A load that completed at once has already left _loading; only a pending one is shared.
                if (!loading.IsCompleted)
                {
                    _loading[id] = loading;
                }
            }
        }

        return loading.WaitAsync(cancellationToken);
    }

    private async Task<CachedBlock> LoadAsync(ColdSegmentIndex index, int block, int partition, ColdBlockId id)
    {
        try
        {
            var read = await _store.ReadBlockAsync(index, block, CancellationToken.None).ConfigureAwait(false);
            _metrics.BlockRead();
            var records = new Records.StoredRecord[read.Records.Count];
            long bytes = 0;
            for (var i = 0; i < records.Length; i++)
            {
                records[i] = read.Records[i].ToStoredRecord(partition);
                bytes += records[i].SizeInBytes;
            }

            var cached = new CachedBlock(records, bytes);
            Keep(id, cached);
            return cached;
        }
        finally
        {
            lock (_lock)
            {
                _loading.Remove(id);
            }
        }
    }

    private void Keep(ColdBlockId id, CachedBlock block)
    {
        lock (_lock)
        {
            if (block.Bytes > _maxBytes || _blocks.ContainsKey(id))
            {
                return;
            }

            _blocks[id] = _recency.AddFirst((id, block));
            _bytes += block.Bytes;
            while (_bytes > _maxBytes && _recency.Last is { } oldest)
            {
                _recency.RemoveLast();
                _blocks.Remove(oldest.Value.Id);
                _bytes -= oldest.Value.Block.Bytes;
            }
        }
    }
}
