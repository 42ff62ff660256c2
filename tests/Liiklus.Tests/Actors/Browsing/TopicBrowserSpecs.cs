using System.Text;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit.Xunit2;
using Liiklus.Actors.Browsing;
using Liiklus.Actors.Receiving;
using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Memory;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Actors.Browsing;

public sealed class TopicBrowserSpecs : TestKit
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly ReceiveSettings Settings = new(TimeSpan.FromSeconds(5), StreamBufferBytes: 1024 * 1024);
    private readonly InMemoryRecordsStorage _storage = new(new InMemoryRecordsOptions(PartitionsPerTopic: 2, RetentionPerPartition: 10_000));

    [Fact]
    public async Task Cancelling_a_followed_browse_stops_the_partition_reads()
    {
        var topic = $"topic-{Guid.NewGuid():N}";
        await PublishAsync(topic, partitionOf: 0, count: 1);
        var watched = new WatchedStorage(_storage);
        var browser = new TopicBrowser(watched, Sys.Materializer(), ByteBudget.Unbounded(), Settings);
        using var cancel = new CancellationTokenSource(Deadline);

        await using var records = browser.BrowseAsync(topic, [new(0, 0, null), new(1, 0, null)], RecordFilter.None, limit: null, cancel.Token)
            .GetAsyncEnumerator(cancel.Token);
        Assert.True(await records.MoveNextAsync());
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await records.MoveNextAsync());

        await Task.WhenAll(watched.Terminations).WaitAsync(Deadline);
        Assert.Equal(2, watched.Terminations.Count);
    }

    [Fact]
    public async Task A_busy_partition_does_not_hold_back_a_quiet_one()
    {
        var topic = $"topic-{Guid.NewGuid():N}";
        await PublishAsync(topic, partitionOf: 0, count: 2000);
        await PublishAsync(topic, partitionOf: 1, count: 5);
        var browser = new TopicBrowser(_storage, Sys.Materializer(), ByteBudget.Unbounded(), Settings);

        var first = new List<StoredRecord>();
        await foreach (var record in browser.BrowseAsync(topic, [new(0, 0, 2000), new(1, 0, 5)], RecordFilter.None, limit: 1000, CancellationToken.None)
                           .WithCancellation(new CancellationTokenSource(Deadline).Token))
        {
            first.Add(record);
        }

        Assert.Equal(1000, first.Count);
        Assert.Equal(5, first.Count(r => r.Partition == 1));
    }

    [Fact]
    public async Task A_browse_holds_at_most_its_byte_allowance_and_gives_it_all_back_at_the_end()
    {
        var topic = $"topic-{Guid.NewGuid():N}";
        await PublishAsync(topic, partitionOf: 0, count: 200, valueBytes: 1000);
        await PublishAsync(topic, partitionOf: 1, count: 200, valueBytes: 1000);
        var node = new ByteBudget(1024 * 1024);
        var settings = Settings with { StreamBufferBytes = 8 * 1024 };
        var browser = new TopicBrowser(_storage, Sys.Materializer(), node, settings);

        var read = 0;
        long mostHeld = 0;
        await foreach (var _ in browser.BrowseAsync(topic, [new(0, 0, 200), new(1, 0, 200)], RecordFilter.None, limit: null, CancellationToken.None)
                           .WithCancellation(new CancellationTokenSource(Deadline).Token))
        {
            read++;
            mostHeld = Math.Max(mostHeld, node.Used);
        }

        Assert.Equal(400, read);
        // The allowance, and at most one record past it (a chunk that does not fit passes a record at a time).
        Assert.InRange(mostHeld, 1, settings.StreamBufferBytes + 1000 + StoredRecord.OverheadBytes);
        Assert.Equal(0, node.Used);
    }

    [Fact]
    public async Task A_browse_is_refused_while_the_nodes_receive_budget_is_spent()
    {
        var topic = $"topic-{Guid.NewGuid():N}";
        await PublishAsync(topic, partitionOf: 0, count: 1);
        var node = new ByteBudget(Settings.StreamBufferBytes);
        Assert.True(node.TryTake(1));
        var browser = new TopicBrowser(_storage, Sys.Materializer(), node, Settings);

        await Assert.ThrowsAsync<ReceiveMemoryExhaustedException>(async () =>
        {
            await foreach (var _ in browser.BrowseAsync(topic, [new(0, 0, 1)], RecordFilter.None, limit: null, CancellationToken.None))
            {
            }
        });
    }

    private async Task PublishAsync(string topic, int partitionOf, int count, int valueBytes = 2)
    {
        // The in-memory storage spreads records without key round-robin; a key pins them to one partition.
        var key = Enumerable.Range(0, 100).Select(i => $"k{i}").First(k => Murmur2Partitioner.PartitionFor(Encoding.UTF8.GetBytes(k), 2) == partitionOf);
        for (var i = 0; i < count; i++)
        {
            await _storage.PublishAsync(topic, new OutgoingRecord(Encoding.UTF8.GetBytes(key), new byte[valueBytes], [], DateTimeOffset.UtcNow), CancellationToken.None);
        }
    }

    /// <summary>A real storage whose partition sources say when they end.</summary>
    private sealed class WatchedStorage(IRecordsStorage inner) : ForwardingRecordsStorage(inner)
    {
        public List<Task> Terminations { get; } = [];

        public override Source<IReadOnlyList<StoredRecord>, NotUsed> PartitionSource(string topic, int partition, StartPosition start)
        {
            var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (Terminations)
            {
                Terminations.Add(ended.Task);
            }

            return Inner.PartitionSource(topic, partition, start).WatchTermination((_, done) =>
            {
                done.ContinueWith(_ => ended.TrySetResult());
                return NotUsed.Instance;
            });
        }
    }
}
