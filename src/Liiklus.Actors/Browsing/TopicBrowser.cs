using System.Runtime.CompilerServices;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Liiklus.Storage.Records;

namespace Liiklus.Actors.Browsing;

/// <summary>
/// Reads a topic's records without a group: nothing is acked, no position moves, no coordinator is asked. Each
/// partition is read by the storage's own partition source, and the sources are merged as their records come (an
/// idle or slow partition holds no other back). The reader's pace drives the reads: every merge input holds at most
/// one chunk, so a browse holds a few chunks per partition, never the topic.
/// </summary>
public sealed class TopicBrowser(IRecordsStorage records, IMaterializer materializer)
{
    private static readonly Attributes OneChunkPerInput = Attributes.CreateInputBuffer(1, 1);

    /// <summary>
    /// The records of <paramref name="partitions"/> that pass <paramref name="filter"/>, in offset order within each
    /// partition, until <paramref name="limit"/> records (none when null) or the end of every bounded partition.
    /// Ending the enumeration (or <paramref name="cancellationToken"/>) stops the reads.
    /// </summary>
    /// <exception cref="Liiklus.Storage.StorageUnavailableException">a partition's read failed</exception>
    public async IAsyncEnumerable<StoredRecord> BrowseAsync(
        string topic,
        IReadOnlyList<BrowsedPartition> partitions,
        RecordFilter filter,
        int? limit,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reads = partitions.Where(p => !p.IsEmpty).Select(p => Read(topic, p, filter)).ToArray();
        if (reads.Length == 0 || limit <= 0)
        {
            yield break;
        }

        var merged = reads.Length == 1
            ? reads[0]
            : Source.Combine(reads[0], reads[1], inputs => new Merge<IReadOnlyList<StoredRecord>>(inputs), reads[2..]);
        var (killSwitch, queue) = merged
            .ViaMaterialized(KillSwitches.Single<IReadOnlyList<StoredRecord>>(), Keep.Right)
            .ToMaterialized(Sink.Queue<IReadOnlyList<StoredRecord>>(), Keep.Both)
            .WithAttributes(OneChunkPerInput)
            .Run(materializer);
        try
        {
            var sent = 0;
            while (true)
            {
                var next = await queue.PullAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
                if (!next.HasValue)
                {
                    yield break;
                }

                foreach (var record in next.Value)
                {
                    yield return record;
                    if (++sent == limit)
                    {
                        yield break;
                    }
                }
            }
        }
        finally
        {
            killSwitch.Shutdown();
        }
    }

    // A bounded range completes with the chunk that reaches its last offset, not the one after it, which may never come.
    private Source<IReadOnlyList<StoredRecord>, NotUsed> Read(string topic, BrowsedPartition partition, RecordFilter filter)
    {
        var source = records.PartitionSource(topic, partition.Partition, StartPosition.At(partition.From));
        if (partition.Until is { } until)
        {
            source = source
                .TakeWhile(chunk => chunk[^1].Offset < until - 1, inclusive: true)
                .Select(chunk => chunk[^1].Offset < until ? chunk : chunk.Where(record => record.Offset < until).ToList());
        }

        return source
            .Select(chunk => ReferenceEquals(filter, RecordFilter.None) ? chunk : chunk.Where(filter.Matches).ToList())
            .Where(chunk => chunk.Count > 0);
    }
}
