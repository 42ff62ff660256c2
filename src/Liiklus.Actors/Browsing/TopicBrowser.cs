using System.Runtime.CompilerServices;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Liiklus.Actors.Receiving;
using Liiklus.Storage.Records;

namespace Liiklus.Actors.Browsing;

/// <summary>
/// Reads a topic's records without a group: nothing is acked, no position moves, no coordinator is asked. Each
/// partition is read by the storage's own partition source, and the sources are merged as their records come (an
/// idle or slow partition holds no other back). The reader's pace drives the reads, and what a browse holds is
/// bounded in bytes as a Receive stream's is: every merge input holds at most one chunk, and past the merge records
/// go through a <see cref="ByteAllowanceGate"/> on a stream's allowance (<see cref="ReceiveSettings.StreamBufferBytes"/>,
/// within the node's receive budget), given back as the reader takes them.
/// </summary>
public sealed class TopicBrowser(IRecordsStorage records, IMaterializer materializer, ByteBudget budget, ReceiveSettings settings)
{
    private static readonly Attributes OneChunkPerInput = Attributes.CreateInputBuffer(1, 1);

    /// <summary>
    /// The records of <paramref name="partitions"/> that pass <paramref name="filter"/>, in offset order within each
    /// partition, until <paramref name="limit"/> records (none when null) or the end of every bounded partition.
    /// Ending the enumeration (or <paramref name="cancellationToken"/>) stops the reads.
    /// </summary>
    /// <exception cref="Liiklus.Storage.StorageUnavailableException">a partition's read failed</exception>
    /// <exception cref="ReceiveMemoryExhaustedException">the node's receive budget has no room for one more stream</exception>
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

        if (!budget.HasRoomFor(settings.StreamBufferBytes))
        {
            throw new ReceiveMemoryExhaustedException(
                $"this node's receive memory budget of {budget.Capacity} bytes is spent ({budget.Used} bytes held by streams " +
                "whose clients have not read them yet); retry later or on another node");
        }

        var merged = reads.Length == 1
            ? reads[0]
            : Source.Combine(reads[0], reads[1], inputs => new Merge<IReadOnlyList<StoredRecord>>(inputs), reads[2..]);
        var allowance = new StreamByteAllowance(settings.StreamBufferBytes, budget);
        var (killSwitch, queue) = merged
            .Via(new ByteAllowanceGate(allowance))
            .ViaMaterialized(KillSwitches.Single<ChargedChunk>(), Keep.Right)
            .ToMaterialized(Sink.Queue<ChargedChunk>(), Keep.Both)
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

                foreach (var record in next.Value.Records)
                {
                    yield return record;
                    if (++sent == limit)
                    {
                        yield break;
                    }
                }

                // The reader has taken (and written) every record of the chunk: its bytes go back.
                allowance.Release(next.Value.Bytes);
            }
        }
        finally
        {
            killSwitch.Shutdown();
            allowance.Close();
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
