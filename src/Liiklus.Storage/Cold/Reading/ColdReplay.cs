using System.Runtime.CompilerServices;
using Akka.Streams;
using Akka.Streams.Dsl;
using Liiklus.Storage.Cold.Telemetry;
using Liiklus.Storage.Records;

namespace Liiklus.Storage.Cold.Reading;

/// <summary>
/// One partition read across the cold store and Kafka as one stream: below Kafka's earliest retained offset from the
/// cold store (blocks through the node's cache, the next ones fetched ahead), from there Kafka, on a source that fails
/// rather than skips when retention deletes its next offset, which sends the replay back to the cold store at that
/// very offset. Every switch happens at the exact next offset: nothing is skipped, repeated or reordered. Offsets in
/// neither end the stream with <see cref="ColdDataLossException"/> naming them.
/// </summary>
public sealed class ColdReplay(
    IRecordsStorage records,
    IRetentionAwareRecordsStorage retained,
    ColdBlockCache cache,
    IColdStore store,
    ColdMetrics metrics,
    Func<IMaterializer> materializer,
    string topic,
    int partition)
{
    /// <summary>Blocks fetched ahead of the one being streamed.</summary>
    private const int Prefetch = 2;

    internal async IAsyncEnumerable<IReadOnlyList<StoredRecord>> ReadAsync(StartPosition start, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var earliest = await KafkaEarliestAsync(cancellationToken).ConfigureAwait(false);
        var next = start switch
        {
            StartPosition.OffsetPosition at => Math.Max(at.Offset, 0),
            _ => await ColdStartAsync(earliest, cancellationToken).ConfigureAwait(false),
        };
        while (true)
        {
            if (next < earliest)
            {
                await foreach (var chunk in ColdAsync(next, earliest, cancellationToken).ConfigureAwait(false))
                {
                    next = chunk.Next;
                    if (chunk.Records.Length > 0)
                    {
                        yield return chunk.Records;
                    }
                }

                earliest = await KafkaEarliestAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            var (killSwitch, queue) = retained.RetainedPartitionSource(topic, partition, next)
                .ViaMaterialized(KillSwitches.Single<IReadOnlyList<StoredRecord>>(), Keep.Right)
                .ToMaterialized(Sink.Queue<IReadOnlyList<StoredRecord>>().WithAttributes(Attributes.CreateInputBuffer(1, 1)), Keep.Both)
                .Run(materializer());
            try
            {
                while (true)
                {
                    IReadOnlyList<StoredRecord>? chunk;
                    try
                    {
                        var pulled = await queue.PullAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
                        chunk = pulled.HasValue ? pulled.Value : null;
                    }
                    catch (OffsetBelowRetentionException)
                    {
                        // Records the consumer had buffered past the last one delivered went with the failed stage:
                        // the replay goes on after the last delivered record.
                        break;
                    }

                    if (chunk is null)
                    {
                        yield break;
                    }

                    next = chunk[^1].Offset + 1;
                    yield return chunk;
                }
            }
            finally
            {
                killSwitch.Shutdown();
            }

            earliest = await KafkaEarliestAsync(cancellationToken).ConfigureAwait(false);
            if (next >= earliest)
            {
                // Past the end, not below retention (the partition was recreated or truncated): the records storage's
                // own policy for such positions applies.
                await foreach (var chunk in records.PartitionSource(topic, partition, StartPosition.At(next))
                                   .RunAsAsyncEnumerable(materializer()).WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    yield return chunk;
                }

                yield break;
            }
        }
    }

    /// <summary>Where a replay from the earliest position starts: the first range the cold store holds, if older.</summary>
    private async Task<long> ColdStartAsync(long earliest, CancellationToken cancellationToken) =>
        Math.Min(earliest, await ColdFirstAsync(store, topic, partition, cancellationToken).ConfigureAwait(false) ?? earliest);

    /// <summary>The first offset of a partition's first range in the cold store, or null when it holds none.</summary>
    public static async Task<long?> ColdFirstAsync(IColdStore store, string topic, int partition, CancellationToken cancellationToken)
    {
        await foreach (var range in store.ListAsync(topic, partition, 0, cancellationToken).ConfigureAwait(false))
        {
            return range.BaseOffset;
        }

        return null;
    }

    /// <summary>
    /// The cold store's records from <paramref name="next"/> until Kafka holds the rest (<paramref name="earliest"/>,
    /// asked again at each segment's end), each element the records of part of a block and the offset after them.
    /// </summary>
    private async IAsyncEnumerable<(StoredRecord[] Records, long Next)> ColdAsync(long next, long earliest, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (next < earliest)
        {
            var range = await store.FindAsync(topic, partition, next, cancellationToken).ConfigureAwait(false);
            switch (range)
            {
                case ColdSegment segment:
                    await foreach (var chunk in SegmentAsync(segment, next, cancellationToken).ConfigureAwait(false))
                    {
                        yield return chunk;
                    }

                    next = segment.NextOffset;
                    yield return ([], next);
                    break;
                case ColdGap gap:
                    throw new ColdDataLossException(topic, partition, next, Math.Min(gap.NextOffset, earliest));
                default:
                    throw new ColdDataLossException(topic, partition, next, await MissingUntilAsync(next, earliest, cancellationToken).ConfigureAwait(false));
            }

            earliest = await KafkaEarliestAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The end of a hole at <paramref name="next"/>: the next range the cold store holds, or Kafka's earliest.</summary>
    private async Task<long> MissingUntilAsync(long next, long earliest, CancellationToken cancellationToken)
    {
        await foreach (var range in store.ListAsync(topic, partition, next, cancellationToken).ConfigureAwait(false))
        {
            return Math.Min(Math.Max(range.BaseOffset, next + 1), earliest);
        }

        return earliest;
    }

    private async IAsyncEnumerable<(StoredRecord[] Records, long Next)> SegmentAsync(ColdSegment segment, long from, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var index = await cache.IndexAsync(segment, cancellationToken).ConfigureAwait(false);
        var first = index.BlockOf(from);
        if (first < 0)
        {
            yield break;
        }

        var ahead = new Queue<Task<CachedBlock>>();
        var requested = first;
        while (ahead.Count <= Prefetch && requested < index.Blocks.Count)
        {
            ahead.Enqueue(cache.BlockAsync(index, requested++, partition, cancellationToken));
        }

        while (ahead.TryDequeue(out var reading))
        {
            var block = await reading.ConfigureAwait(false);
            if (requested < index.Blocks.Count)
            {
                ahead.Enqueue(cache.BlockAsync(index, requested++, partition, cancellationToken));
            }

            var records = block.Records;
            var position = FirstAtOrAfter(records, from);
            while (position < records.Length)
            {
                var count = Math.Min(ChunkBounds.MaxRecords, records.Length - position);
                var chunk = records.AsSpan(position, count).ToArray();
                position += count;
                metrics.RecordsReplayed(topic, count);
                yield return (chunk, chunk[^1].Offset + 1);
            }
        }
    }

    private static int FirstAtOrAfter(StoredRecord[] records, long offset)
    {
        var (low, high) = (0, records.Length);
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (records[middle].Offset < offset)
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

    private async Task<long> KafkaEarliestAsync(CancellationToken cancellationToken)
    {
        var earliest = await records.GetEarliestOffsetsAsync(topic, cancellationToken).ConfigureAwait(false);
        return earliest.TryGetValue(partition, out var offset) ? offset : 0;
    }
}
