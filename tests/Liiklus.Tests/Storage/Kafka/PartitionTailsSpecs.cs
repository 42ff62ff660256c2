using System.Collections.Concurrent;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit.Xunit2;
using Confluent.Kafka;
using Liiklus.Storage;
using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Kafka;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Storage.Kafka;

/// <summary>
/// The node's shared tails with a fetch of the spec's own making, so that it fails exactly when told: a failed fetch
/// starts again from the window's end, and only one that keeps failing fails the readers.
/// </summary>
public sealed class PartitionTailsSpecs : TestKit
{
    private static readonly TopicPartition Partition = new("orders", 0);
    private readonly ConcurrentQueue<long> _fetchStarts = new();
    private readonly ConcurrentQueue<Exception> _failures = new();

    [Fact]
    public async Task A_fetch_that_fails_once_starts_again_at_the_windows_end_and_its_readers_miss_and_repeat_nothing()
    {
        var tails = Tails(
            maxRestarts: 5,
            (offset, attempt) => attempt == 0
                ? Records(offset, 5).Concat(Source.Failed<IReadOnlyList<StoredRecord>>(StorageUnavailableException.Records("the fetch broke")))
                : Records(offset, 5).Concat(Source.Never<IReadOnlyList<StoredRecord>>()));
        var tail = tails.Join(Partition);

        var read = await ReadAsync(tail, from: 10, count: 10);

        Assert.Equal(Enumerable.Range(10, 10).Select(o => (long)o), read.Select(r => r.Offset));
        Assert.Equal([10L, 15L], _fetchStarts);
        Assert.Single(_failures);
    }

    [Fact]
    public async Task A_fetch_that_keeps_failing_fails_its_readers_with_its_cause_once_its_restarts_run_out()
    {
        var tails = Tails(maxRestarts: 2, (_, _) => Source.Failed<IReadOnlyList<StoredRecord>>(StorageUnavailableException.Records("the partition is gone")));
        var tail = tails.Join(Partition);

        var failure = await Eventually.Until(
            () => Task.FromResult(ReadFailure(tail)),
            failure => failure is not null,
            "the readers' failure");

        Assert.Contains("the partition is gone", failure!.Message);
        Assert.Equal(3, _fetchStarts.Count);
        Assert.Equal(0, tails.Count);
    }

    private PartitionTails Tails(int maxRestarts, Func<long, int, Source<IReadOnlyList<StoredRecord>, NotUsed>> fetch)
    {
        var materializer = Sys.Materializer();
        var options = new KafkaRecordsOptions("unused:9092")
        {
            SharedTailRestartMinBackoff = TimeSpan.FromMilliseconds(10),
            SharedTailRestartMaxBackoff = TimeSpan.FromMilliseconds(50),
            SharedTailMaxRestarts = maxRestarts,
        };
        return new PartitionTails(
            options,
            () => materializer,
            (_, _) => Task.FromResult(10L),
            (_, offset) =>
            {
                var attempt = _fetchStarts.Count;
                _fetchStarts.Enqueue(offset);
                return fetch(offset, attempt);
            },
            (_, cause) => _failures.Enqueue(cause));
    }

    private static Source<IReadOnlyList<StoredRecord>, NotUsed> Records(long from, int count) =>
        Source.Single<IReadOnlyList<StoredRecord>>(
            Enumerable.Range(0, count).Select(i => new StoredRecord(0, from + i, null, [1, 2, 3], [], DateTimeOffset.UtcNow)).ToArray());

    /// <summary>Reads the window from <paramref name="from"/> as a stream at the tail would, until it has <paramref name="count"/> records.</summary>
    private static async Task<List<StoredRecord>> ReadAsync(PartitionTail tail, long from, int count)
    {
        var read = new List<StoredRecord>();
        long sequence = 0;
        var joined = false;
        await Eventually.Until(
            () =>
            {
                if (!joined)
                {
                    joined = tail.Join(from, () => { }, out sequence) == JoinResult.Joined;
                }

                if (joined)
                {
                    read.AddRange(tail.Read(ref sequence, 100, () => { }) ?? throw new InvalidOperationException("evicted"));
                }

                return Task.FromResult(read.Count);
            },
            records => records >= count,
            $"{count} records from the window");
        return read;
    }

    private static Exception? ReadFailure(PartitionTail tail)
    {
        try
        {
            long sequence = 0;
            tail.Read(ref sequence, 1, () => { });
            return null;
        }
        catch (StorageUnavailableException e)
        {
            return e;
        }
    }
}
