using System.Text;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit.Xunit2;
using Liiklus.Storage.Records.Memory;
using Liiklus.Storage.Records;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Storage;

/// <summary>
/// What every records storage must do, after Liiklus's own storage TCK. Each implementation runs it by
/// deriving from it.
/// </summary>
public abstract class RecordsStorageContract : TestKit
{
    protected static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(50);
    private readonly Lazy<IRecordsStorage> _storage;

    protected RecordsStorageContract()
    {
        _storage = new Lazy<IRecordsStorage>(CreateStorage);
        Materializer = Sys.Materializer();
    }

    protected IRecordsStorage Storage => _storage.Value;

    protected IMaterializer Materializer { get; }

    protected abstract IRecordsStorage CreateStorage();

    protected static string NewTopic() => $"topic-{Guid.NewGuid():N}";

    protected static OutgoingRecord Record(string value, string? key = null, params RecordHeader[] headers) =>
        new(key is null ? null : Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value), headers, DateTimeOffset.UtcNow);

    [Fact]
    public async Task Wake_on_append_wakes_at_once_for_a_record_already_there_and_a_waiter_at_the_end_on_the_next_append()
    {
        var topic = NewTopic();
        var first = await Storage.PublishAsync(topic, Record("v0", "key"), CancellationToken.None);
        var there = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        using var atFirst = Storage.WakeOnAppend(topic, first.Partition, first.Offset, () => there.TrySetResult());
        using var atEnd = Storage.WakeOnAppend(topic, first.Partition, first.Offset + 1, () => next.TrySetResult());
        await there.Task.WaitAsync(Deadline);
        await Storage.PublishAsync(topic, Record("v1", "key"), CancellationToken.None);

        Assert.NotNull(atEnd);
        await next.Task.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Read_at_tail_gives_the_records_from_the_offset_on_or_nothing_when_the_storage_cannot()
    {
        var topic = NewTopic();
        var first = await Storage.PublishAsync(topic, Record("v0", "key"), CancellationToken.None);
        await Storage.PublishAsync(topic, Record("v1", "key"), CancellationToken.None);

        var read = Storage.ReadAtTail(topic, first.Partition, first.Offset, 10);
        var atEnd = Storage.ReadAtTail(topic, first.Partition, first.Offset + 2, 10);

        if (read is not null)
        {
            Assert.Equal(["v0", "v1"], read.Select(r => Encoding.UTF8.GetString(r.Value)));
        }

        if (atEnd is not null)
        {
            Assert.Empty(atEnd);
        }
    }

    [Fact]
    public async Task Records_with_one_key_land_on_one_partition_at_consecutive_offsets()
    {
        var topic = NewTopic();

        var results = new List<PublishResult>();
        for (var i = 0; i < 5; i++)
        {
            results.Add(await Storage.PublishAsync(topic, Record($"v{i}", "same-key"), CancellationToken.None));
        }

        Assert.Single(results.Select(r => r.Partition).Distinct());
        Assert.Equal(Enumerable.Range((int)results[0].Offset, 5).Select(o => (long)o), results.Select(r => r.Offset));
    }

    [Fact]
    public async Task Keyed_records_land_on_the_partition_a_java_producer_chooses()
    {
        var topic = NewTopic();
        var partitions = await Storage.GetPartitionCountAsync(topic, CancellationToken.None);

        foreach (var key in new[] { "21", "foobar", "user-42", "abc" })
        {
            var result = await Storage.PublishAsync(topic, Record("v", key), CancellationToken.None);
            Assert.Equal(Murmur2Partitioner.PartitionFor(Encoding.UTF8.GetBytes(key), partitions), result.Partition);
        }
    }

    [Fact]
    public async Task Records_without_key_spread_over_partitions()
    {
        var topic = NewTopic();

        var used = new HashSet<int>();
        for (var i = 0; i < 64; i++)
        {
            used.Add((await Storage.PublishAsync(topic, Record($"v{i}"), CancellationToken.None)).Partition);
        }

        Assert.True(used.Count > 1, "all 64 records without key went to one partition");
    }

    [Fact]
    public async Task Earliest_reads_a_partition_in_offset_order_with_key_value_headers_and_timestamp()
    {
        var topic = NewTopic();
        var timestamp = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        var published = new List<PublishResult>();
        for (var i = 0; i < 10; i++)
        {
            var record = Record($"value-{i}", "k", new RecordHeader("h", [(byte)i])) with { Timestamp = timestamp };
            published.Add(await Storage.PublishAsync(topic, record, CancellationToken.None));
        }

        var read = await Read(topic, published[0].Partition, StartPosition.Earliest, 10);

        Assert.Equal(published.Select(p => p.Offset), read.Select(r => r.Offset));
        Assert.All(read, r => Assert.Equal("k", Encoding.UTF8.GetString(r.Key!)));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"value-{i}"), read.Select(r => Encoding.UTF8.GetString(r.Value)));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), read.Select(r => r.Headers.Single(h => h.Name == "h").Value.Single()));
        Assert.All(read, r => Assert.Equal(timestamp, r.Timestamp));
        Assert.All(read, r => Assert.Equal(published[0].Partition, r.Partition));
    }

    [Fact]
    public async Task Null_key_reads_back_as_no_key()
    {
        var topic = NewTopic();
        var published = await Storage.PublishAsync(topic, Record("v"), CancellationToken.None);

        var read = await Read(topic, published.Partition, StartPosition.Earliest, 1);

        Assert.True(read[0].Key is null || read[0].Key!.Length == 0);
    }

    [Fact]
    public async Task Offset_start_position_reads_from_that_offset()
    {
        var topic = NewTopic();
        var published = new List<PublishResult>();
        for (var i = 0; i < 6; i++)
        {
            published.Add(await Storage.PublishAsync(topic, Record($"v{i}", "k"), CancellationToken.None));
        }

        var read = await Read(topic, published[0].Partition, StartPosition.At(published[3].Offset), 3);

        Assert.Equal(published.Skip(3).Select(p => p.Offset), read.Select(r => r.Offset));
    }

    [Fact]
    public async Task Offset_past_the_end_of_the_partition_starts_at_the_oldest_retained_record()
    {
        // A position stored before the topic was deleted and created again: records written since are not skipped.
        var topic = NewTopic();
        var published = new List<PublishResult>();
        for (var i = 0; i < 3; i++)
        {
            published.Add(await Storage.PublishAsync(topic, Record($"v{i}", "k"), CancellationToken.None));
        }

        var read = await Read(topic, published[0].Partition, StartPosition.At(published[2].Offset + 1000), 3);

        Assert.Equal(published.Select(p => p.Offset), read.Select(r => r.Offset));
    }

    [Fact]
    public async Task Offset_just_past_the_last_record_waits_for_the_next_one()
    {
        var topic = NewTopic();
        var last = await Storage.PublishAsync(topic, Record("acked", "k"), CancellationToken.None);
        var reading = Read(topic, last.Partition, StartPosition.At(last.Offset + 1), 1);

        var next = await Storage.PublishAsync(topic, Record("next", "k"), CancellationToken.None);

        Assert.Equal(next.Offset, (await reading).Single().Offset);
    }

    [Fact]
    public async Task Source_keeps_tailing_records_published_after_it_started()
    {
        var topic = NewTopic();
        var first = await Storage.PublishAsync(topic, Record("before", "k"), CancellationToken.None);
        var reading = Read(topic, first.Partition, StartPosition.Earliest, 3);

        await Storage.PublishAsync(topic, Record("after-1", "k"), CancellationToken.None);
        await Storage.PublishAsync(topic, Record("after-2", "k"), CancellationToken.None);

        Assert.Equal(["before", "after-1", "after-2"], (await reading).Select(r => Encoding.UTF8.GetString(r.Value)));
    }

    [Fact]
    public async Task Latest_reads_only_records_written_after_the_source_started()
    {
        var topic = NewTopic();
        var old = await Storage.PublishAsync(topic, Record("old", "k"), CancellationToken.None);
        var reading = Read(topic, old.Partition, StartPosition.Latest, 1);

        // The source resolves "latest" asynchronously: keep writing new records until one arrives.
        using var deadline = new CancellationTokenSource(Deadline);
        while (!reading.IsCompleted)
        {
            await Storage.PublishAsync(topic, Record("new", "k"), CancellationToken.None);
            await Task.WhenAny(reading, Task.Delay(RetryInterval, deadline.Token));
        }

        Assert.Equal("new", Encoding.UTF8.GetString((await reading).Single().Value));
    }

    [Fact]
    public async Task End_offsets_are_the_last_offsets_and_minus_one_for_empty_partitions()
    {
        var topic = NewTopic();
        var last = new Dictionary<int, long>();
        foreach (var key in new[] { "a", "a", "b" })
        {
            var published = await Storage.PublishAsync(topic, Record("v", key), CancellationToken.None);
            last[published.Partition] = published.Offset;
        }

        var endOffsets = await Storage.GetEndOffsetsAsync(topic, CancellationToken.None);

        Assert.Equal(await Storage.GetPartitionCountAsync(topic, CancellationToken.None), endOffsets.Count);
        foreach (var (partition, offset) in endOffsets)
        {
            Assert.Equal(last.GetValueOrDefault(partition, -1), offset);
        }
    }

    [Fact]
    public async Task End_offsets_of_an_unknown_topic_are_empty()
    {
        Assert.Empty(await Storage.GetEndOffsetsAsync(NewTopic(), CancellationToken.None));
    }

    [Fact]
    public async Task Earliest_offsets_are_the_first_retained_offsets_and_the_end_for_empty_partitions()
    {
        var topic = NewTopic();
        var first = await Storage.PublishAsync(topic, Record("v0", "a"), CancellationToken.None);
        await Storage.PublishAsync(topic, Record("v1", "a"), CancellationToken.None);

        var earliest = await Storage.GetEarliestOffsetsAsync(topic, CancellationToken.None);
        var endOffsets = await Storage.GetEndOffsetsAsync(topic, CancellationToken.None);

        Assert.Equal(endOffsets.Keys.Order(), earliest.Keys.Order());
        Assert.Equal(first.Offset, earliest[first.Partition]);
        foreach (var (partition, offset) in earliest.Where(p => p.Key != first.Partition))
        {
            // Nothing retained: the offset the next record will get.
            Assert.Equal(endOffsets[partition] + 1, offset);
        }
    }

    [Fact]
    public async Task Earliest_offsets_of_an_unknown_topic_are_empty_and_do_not_create_it()
    {
        var topic = NewTopic();

        Assert.Empty(await Storage.GetEarliestOffsetsAsync(topic, CancellationToken.None));
        Assert.DoesNotContain(topic, await Storage.ListTopicsAsync(CancellationToken.None));
    }

    // Virtual: a storage whose test double cannot look records up by time skips it by an override that says why.
    [Fact]
    public virtual async Task Offsets_for_a_timestamp_are_the_first_record_at_or_after_it_and_the_end_past_the_last()
    {
        var topic = NewTopic();
        var first = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        var published = new List<PublishResult>();
        for (var i = 0; i < 4; i++)
        {
            published.Add(await Storage.PublishAsync(topic, Record($"v{i}", "k") with { Timestamp = first.AddSeconds(i) }, CancellationToken.None));
        }

        var partition = published[0].Partition;
        var beforeAll = await Storage.GetOffsetsForTimestampAsync(topic, first.AddDays(-1), CancellationToken.None);
        var exact = await Storage.GetOffsetsForTimestampAsync(topic, first.AddSeconds(2), CancellationToken.None);
        var between = await Storage.GetOffsetsForTimestampAsync(topic, first.AddSeconds(1).AddTicks(1), CancellationToken.None);
        var afterAll = await Storage.GetOffsetsForTimestampAsync(topic, first.AddSeconds(4), CancellationToken.None);

        Assert.Equal(published[0].Offset, beforeAll[partition]);
        Assert.Equal(published[2].Offset, exact[partition]);
        Assert.Equal(published[2].Offset, between[partition]);
        Assert.Equal(published[3].Offset + 1, afterAll[partition]);
    }

    [Fact]
    public async Task Offsets_for_a_timestamp_cover_every_partition_and_answer_the_end_of_those_without_such_a_record()
    {
        var topic = NewTopic();
        var old = await Storage.PublishAsync(topic, Record("old", "a") with { Timestamp = DateTimeOffset.UtcNow.AddHours(-2) }, CancellationToken.None);

        var offsets = await Storage.GetOffsetsForTimestampAsync(topic, DateTimeOffset.UtcNow.AddHours(-1), CancellationToken.None);
        var endOffsets = await Storage.GetEndOffsetsAsync(topic, CancellationToken.None);

        Assert.Equal(endOffsets.Keys.Order(), offsets.Keys.Order());
        Assert.Equal(old.Offset + 1, offsets[old.Partition]);
        Assert.All(offsets, p => Assert.Equal(endOffsets[p.Key] + 1, p.Value));
    }

    [Fact]
    public virtual async Task Offsets_for_a_timestamp_take_the_first_such_record_when_timestamps_go_back()
    {
        // Publishers stamp records with their own clocks: a later offset may carry an earlier time.
        var topic = NewTopic();
        var origin = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        var published = new List<PublishResult>();
        foreach (var seconds in new[] { 0, 20, 10, 30 })
        {
            published.Add(await Storage.PublishAsync(topic, Record($"at-{seconds}", "k") with { Timestamp = origin.AddSeconds(seconds) }, CancellationToken.None));
        }

        var offsets = await Storage.GetOffsetsForTimestampAsync(topic, origin.AddSeconds(10), CancellationToken.None);
        var later = await Storage.GetOffsetsForTimestampAsync(topic, origin.AddSeconds(25), CancellationToken.None);

        Assert.Equal(published[1].Offset, offsets[published[0].Partition]);
        Assert.Equal(published[3].Offset, later[published[0].Partition]);
    }

    [Fact]
    public async Task Offsets_for_a_timestamp_of_an_unknown_topic_are_empty_and_do_not_create_it()
    {
        var topic = NewTopic();

        Assert.Empty(await Storage.GetOffsetsForTimestampAsync(topic, DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.DoesNotContain(topic, await Storage.ListTopicsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Listed_topics_are_ordered_and_include_every_topic_written_to()
    {
        var topics = new[] { NewTopic(), NewTopic() };
        foreach (var topic in topics)
        {
            await Storage.PublishAsync(topic, Record("v"), CancellationToken.None);
        }

        var listed = await Storage.ListTopicsAsync(CancellationToken.None);

        Assert.All(topics, topic => Assert.Contains(topic, listed));
        Assert.Equal(listed.Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task Several_readers_of_one_partition_each_read_everything()
    {
        var topic = NewTopic();
        var first = await Storage.PublishAsync(topic, Record("v0", "k"), CancellationToken.None);
        for (var i = 1; i < 20; i++)
        {
            await Storage.PublishAsync(topic, Record($"v{i}", "k"), CancellationToken.None);
        }

        var reads = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Read(topic, first.Partition, StartPosition.Earliest, 20)));

        Assert.All(reads, read => Assert.Equal(Enumerable.Range((int)first.Offset, 20).Select(o => (long)o), read.Select(r => r.Offset)));
    }

    protected Task<List<StoredRecord>> Read(string topic, int partition, StartPosition start, int count) =>
        Storage.PartitionSource(topic, partition, start).Records()
            .Take(count)
            .RunWith(Sink.Seq<StoredRecord>(), Materializer)
            .WaitAsync(Deadline)
            .ContinueWith(t => t.Result.ToList(), TaskContinuationOptions.ExecuteSynchronously);
}
