using System.Text;
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

/// <summary>What the Kafka storage does beyond the records contract.</summary>
public sealed class KafkaStorageSpecs : TestKit, IClassFixture<MockKafkaCluster>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly MockKafkaCluster _cluster;
    private readonly IMaterializer _materializer;

    public KafkaStorageSpecs(MockKafkaCluster cluster)
    {
        _cluster = cluster;
        _materializer = Sys.Materializer();
    }

    // Expected partitions worked by hand from Kafka's definition, BuiltInPartitioner.partitionForKey:
    // Utils.toPositive(Utils.murmur2(key)) % numPartitions, with the murmur2 values of Kafka's UtilsTest#testMurmur2
    // (see Murmur2PartitionerSpecs), e.g. foobar → -790332482 & 0x7fffffff = 1357151166 → 2 / 6 / 30.
    [Theory]
    [InlineData("21", 4, 0)]
    [InlineData("21", 8, 4)]
    [InlineData("21", 32, 12)]
    [InlineData("foobar", 4, 2)]
    [InlineData("foobar", 8, 6)]
    [InlineData("foobar", 32, 30)]
    [InlineData("a-little-bit-long-string", 4, 0)]
    [InlineData("a-little-bit-long-string", 8, 0)]
    [InlineData("a-little-bit-long-string", 32, 0)]
    [InlineData("a-little-bit-longer-string", 4, 3)]
    [InlineData("a-little-bit-longer-string", 8, 3)]
    [InlineData("a-little-bit-longer-string", 32, 3)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", 4, 1)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", 8, 5)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", 32, 13)]
    [InlineData("abc", 4, 3)]
    [InlineData("abc", 8, 3)]
    [InlineData("abc", 32, 27)]
    public async Task Publish_puts_a_key_on_the_partition_kafkas_java_producer_chooses(string key, int partitions, int expected)
    {
        using var storage = NewStorage();
        var topic = _cluster.NewTopic(partitions);

        var published = await storage.PublishAsync(topic, Record("v", key), CancellationToken.None);

        Assert.Equal(expected, published.Partition);
    }

    [Fact]
    public async Task Partition_count_is_the_topics_own_and_an_unknown_topic_is_created_as_the_broker_does()
    {
        using var storage = NewStorage();

        Assert.Equal(8, await storage.GetPartitionCountAsync(_cluster.NewTopic(8), CancellationToken.None));
        // The mock broker auto-creates topics with 4 partitions, as auto.create.topics.enable would.
        Assert.Equal(4, await storage.GetPartitionCountAsync($"unknown-{Guid.NewGuid():N}", CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_partition_counts_of_one_topic_cost_one_metadata_request()
    {
        using var storage = NewStorage();
        var topic = _cluster.NewTopic(8);

        var counts = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => storage.GetPartitionCountAsync(topic, CancellationToken.None)));

        Assert.All(counts, count => Assert.Equal(8, count));
        Assert.Equal(1, storage.MetadataRequests);
    }

    [Fact]
    public async Task Partition_count_of_a_topic_the_brokers_do_not_create_answers_unavailable()
    {
        using var storage = NewStorage();
        var topic = $"unknown-{Guid.NewGuid():N}";
        _cluster.AnswerUnknownTopic(topic);

        var refused = await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.GetPartitionCountAsync(topic, CancellationToken.None));

        Assert.Contains("does not exist", refused.Message);
    }

    [Fact]
    public async Task End_offsets_of_an_unknown_topic_do_not_create_it()
    {
        using var storage = NewStorage();
        var topic = $"unknown-{Guid.NewGuid():N}";

        Assert.Empty(await storage.GetEndOffsetsAsync(topic, CancellationToken.None));

        // Had the request created it, the topic would exist with the broker's 4 partitions and this would fail.
        _cluster.CreateTopic(topic, 8);
        Assert.Equal(8, await storage.GetPartitionCountAsync(topic, CancellationToken.None));
    }

    [Fact]
    public async Task A_record_over_the_configured_message_size_is_refused_as_too_large()
    {
        // Passed through to librdkafka from the storage's properties.
        using var storage = NewStorage(new Dictionary<string, string> { ["message.max.bytes"] = "10000" });

        var refused = await Assert.ThrowsAsync<RecordTooLargeException>(() =>
            storage.PublishAsync(_cluster.NewTopic(4), Record(new string('x', 20_000)), CancellationToken.None));

        Assert.Equal(10_000, refused.MaxSizeInBytes);
    }

    [Fact]
    public void A_librdkafka_property_it_does_not_know_fails_at_construction()
    {
        var refused = Assert.ThrowsAny<Exception>(() => NewStorage(new Dictionary<string, string> { ["no.such.property"] = "1" }));

        Assert.Contains("no.such.property", refused.Message);
    }

    [Fact]
    public async Task Offset_older_than_retention_starts_at_the_oldest_retained_record()
    {
        var topic = _cluster.NewTopic(1);
        using (var producer = PlainKafkaClients.Producer(_cluster))
        {
            // The mock keeps about the newest 4-5 MB of a partition (~45,000 records of 100 B): write past that.
            for (var i = 0; i < 60_000; i++)
            {
                producer.Produce(topic, new Message<byte[]?, byte[]> { Value = new byte[100] });
            }

            producer.Flush(Deadline);
        }

        using var consumer = PlainKafkaClients.Consumer(_cluster);
        var low = consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), Deadline).Low.Value;
        Assert.True(low > 0, "the mock kept every record: this test needs a moved low watermark");
        using var storage = NewStorage();

        var fromOffsetZero = await storage.PartitionSource(topic, 0, StartPosition.At(0)).Records().Take(1)
            .RunWith(Sink.First<StoredRecord>(), _materializer).WaitAsync(Deadline);
        var fromEarliest = await storage.PartitionSource(topic, 0, StartPosition.Earliest).Records().Take(1)
            .RunWith(Sink.First<StoredRecord>(), _materializer).WaitAsync(Deadline);

        Assert.Equal(low, fromOffsetZero.Offset);
        Assert.Equal(low, fromEarliest.Offset);
    }

    [Fact]
    public async Task Readers_of_different_partitions_share_a_consumer_and_the_pool_never_grows_past_its_bound()
    {
        using var storage = NewStorage(idleTimeout: TimeSpan.FromMilliseconds(200), maxConsumers: 2);
        var topic = _cluster.NewTopic(4);
        await PublishToEveryPartition(topic, 4, perPartition: 1);

        // From the earliest record: each reader catches up through a fetch of its own, beside its partition's tail.
        var readers = Enumerable.Range(0, 4).Select(p => storage.PartitionSource(topic, p, StartPosition.Earliest).Records().PullOnDemand(_materializer)).ToList();
        var seconds = Enumerable.Range(0, 4).Select(p => storage.PartitionSource(topic, p, StartPosition.Earliest).Records().PullOnDemand(_materializer)).ToList();
        foreach (var reader in readers.Concat(seconds))
        {
            Assert.Single(await reader.PullAsync(1, Deadline));
        }

        Assert.Equal(2, storage.ConsumerCount);
        foreach (var reader in readers.Concat(seconds))
        {
            reader.KillSwitch.Shutdown();
        }

        await Eventually.Until(() => Task.FromResult(storage.ConsumerCount), count => count == 0, "idle consumers closed", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_reader_asking_again_for_a_slot_waits_once_and_is_attached_once()
    {
        using var storage = NewStorage(maxConsumers: 1);
        var pool = storage.Pool;
        var topicPartition = new TopicPartition(_cluster.NewTopic(1), 0);
        var reading = NewBuffer(topicPartition);
        pool.Attach(reading);
        // Its stage is reading (asked for records and found none), so its slot is not taken from it.
        Assert.Empty(reading.TryTake());
        var waiting = NewBuffer(topicPartition);

        pool.Attach(waiting);
        pool.Attach(waiting);
        pool.Attach(waiting);

        Assert.Equal(1, pool.WaitingCount);
        pool.Detach(reading);
        reading.Close();
        Assert.Equal(0, pool.WaitingCount);
        Assert.NotNull(waiting.Consumer);
        pool.Attach(waiting);
        Assert.Equal(0, pool.WaitingCount);
        Assert.Equal(1, pool.ConsumerCount);
        pool.Detach(waiting);
        waiting.Close();
    }

    [Fact]
    public void Readers_catching_up_spread_over_the_consumers_though_each_partitions_tail_holds_a_slot_on_one()
    {
        using var storage = NewStorage(spreadOverConsumers: 2, maxConsumers: 2);
        var pool = storage.Pool;
        var topic = _cluster.NewTopic(4);
        var buffers = new List<PartitionBuffer>();
        // As streams start from the earliest record: each partition's shared tail, then its catch-up reader, which can
        // only go to a consumer other than the tail's.
        for (var partition = 0; partition < 4; partition++)
        {
            var topicPartition = new TopicPartition(topic, partition);
            foreach (var buffer in new[] { NewBuffer(topicPartition, evictable: false), NewBuffer(topicPartition) })
            {
                pool.Attach(buffer);
                buffers.Add(buffer);
            }
        }

        Assert.Equal([2, 2], pool.CatchUpsPerConsumer);
        foreach (var buffer in buffers)
        {
            pool.Detach(buffer);
            buffer.Close();
        }
    }

    [Fact]
    public async Task Readers_of_a_partition_beyond_the_consumer_bound_wait_their_turn_and_all_read_everything()
    {
        const int records = 200;
        using var storage = NewStorage(maxConsumers: 2, readerBuffer: 20);
        var topic = await OnePartitionHoldingAsync(records);

        // Six streams catching up on one partition, with two consumers: one holds the tail, the other one catch-up at a
        // time (or a paused one gives its slot up).
        var reads = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            storage.PartitionSource(topic, 0, StartPosition.Earliest).Records().Take(records)
                .RunWith(Sink.Seq<StoredRecord>(), _materializer).WaitAsync(Deadline)));

        Assert.All(reads, read => Assert.Equal(Enumerable.Range(0, records).Select(o => (long)o), read.Select(r => r.Offset)));
        Assert.True(storage.ConsumerCount <= 2, $"{storage.ConsumerCount} consumers");
    }

    [Fact]
    public async Task Two_groups_at_the_tail_are_served_by_one_fetch()
    {
        const int records = 500;
        using var storage = NewStorage();
        var topic = _cluster.NewTopic(1);
        // Two groups whose next record is the partition's first: both are placed in the (empty) shared window at its end.
        var first = storage.PartitionSource(topic, 0, StartPosition.At(0)).Records().PullOnDemand(_materializer);
        var second = storage.PartitionSource(topic, 0, StartPosition.At(0)).Records().PullOnDemand(_materializer);
        await Eventually.Until(() => Task.FromResult(storage.SharedTailWindow(topic, 0)), window => window is not null, "the tail knows where it starts");

        await PublishToEveryPartition(topic, 1, records);

        Assert.Equal(Enumerable.Range(0, records).Select(o => (long)o), (await first.PullAsync(records, Deadline)).Select(r => r.Offset));
        Assert.Equal(Enumerable.Range(0, records).Select(o => (long)o), (await second.PullAsync(records, Deadline)).Select(r => r.Offset));
        Assert.Equal(records, storage.Fetched.Records);
        Assert.Equal(1, storage.SharedTails);
        first.KillSwitch.Shutdown();
        second.KillSwitch.Shutdown();
    }

    [Fact]
    public async Task Many_groups_replaying_the_same_history_fetch_it_a_few_times_not_once_each()
    {
        const int records = 200;
        const int groups = 30;
        using var storage = NewStorage();
        var topic = await OnePartitionHoldingAsync(records);
        var atTail = storage.PartitionSource(topic, 0, StartPosition.Latest).Records().PullOnDemand(_materializer);
        await Eventually.Until(() => Task.FromResult(storage.SharedTailWindow(topic, 0)), window => window is not null, "the tail knows where it starts");

        var replays = Enumerable.Range(0, groups)
            .Select(_ => storage.PartitionSource(topic, 0, StartPosition.Earliest).Records().Take(records).RunWith(Sink.Seq<StoredRecord>(), _materializer))
            .ToList();

        foreach (var replay in replays)
        {
            Assert.Equal(Enumerable.Range(0, records).Select(o => (long)o), (await replay.WaitAsync(Deadline)).Select(r => r.Offset));
        }

        // Readers catching up put what they read before the tail's window: the others read it there. Fetched once
        // per group it would be groups × records; the readers whose fetch starts before the first run reaches the
        // window read it again (on an idle machine about one per consumer slot, more while the CPU is busy), so the
        // bound is half of one fetch per group.
        Assert.InRange(storage.Fetched.Records, records, groups * records / 2);
        Assert.Equal(0L, storage.SharedTailWindow(topic, 0)!.Value.Start);
        atTail.KillSwitch.Shutdown();
    }

    [Fact]
    public async Task An_earliest_reader_asks_the_brokers_where_the_log_starts_only_when_its_partitions_tail_has_not_learnt_it()
    {
        const int records = 50;
        const short listOffsets = 2;
        using var storage = NewStorage();
        var topic = await OnePartitionHoldingAsync(records);
        var everyOffset = Enumerable.Range(0, records).Select(o => (long)o).ToList();

        OnDemandReader? first = null;
        var firstRequests = await _cluster.CountRequestsAsync(async () =>
        {
            first = storage.PartitionSource(topic, 0, StartPosition.Earliest).Records().PullOnDemand(_materializer);
            Assert.Equal(everyOffset, (await first.PullAsync(records, Deadline)).Select(r => r.Offset));
        });
        // Still reading, so the partition's tail keeps what the first reader learnt.
        var secondRequests = await _cluster.CountRequestsAsync(async () =>
        {
            var second = storage.PartitionSource(topic, 0, StartPosition.Earliest).Records().Take(records).RunWith(Sink.Seq<StoredRecord>(), _materializer);
            Assert.Equal(everyOffset, (await second.WaitAsync(Deadline)).Select(r => r.Offset));
        });

        Assert.True(firstRequests.GetValueOrDefault(listOffsets) >= 1, $"first reader's requests by API key: {string.Join(", ", firstRequests)}");
        Assert.Equal(0, secondRequests.GetValueOrDefault(listOffsets));
        first!.KillSwitch.Shutdown();
    }

    [Fact]
    public async Task A_stalled_reader_drops_out_of_the_tail_without_slowing_the_other_and_then_reads_every_record_in_order()
    {
        const int records = 3000;
        // A window of a few dozen 100-byte records: the stalled reader falls out of it at once.
        using var storage = NewStorage(windowBytes: 4 * 1024, readerBuffer: 100);
        var topic = _cluster.NewTopic(1);
        var stalled = storage.PartitionSource(topic, 0, StartPosition.At(0)).Records().PullOnDemand(_materializer);
        var flowing = storage.PartitionSource(topic, 0, StartPosition.At(0)).Records()
            .Take(records).RunWith(Sink.Seq<StoredRecord>(), _materializer);

        await PublishToEveryPartition(topic, 1, records, valueBytes: 100);

        Assert.Equal(Enumerable.Range(0, records).Select(o => (long)o), (await flowing.WaitAsync(Deadline)).Select(r => r.Offset));
        var caughtUp = await stalled.PullAsync(records, Deadline);
        Assert.Equal(Enumerable.Range(0, records).Select(o => (long)o), caughtUp.Select(r => r.Offset));
        stalled.KillSwitch.Shutdown();
    }

    [Fact]
    public async Task The_windows_of_many_partitions_together_stay_within_their_node_bound()
    {
        const long windows = 16 * 1024;
        using var storage = NewStorage(windowBytes: 8 * 1024, windowsBytes: windows);
        var topic = _cluster.NewTopic(8);
        var readers = Enumerable.Range(0, 8).Select(p => storage.PartitionSource(topic, p, StartPosition.At(0)).Records().PullOnDemand(_materializer)).ToList();
        await Eventually.Until(
            () => Task.FromResult(Enumerable.Range(0, 8).All(p => storage.SharedTailWindow(topic, p) is not null)),
            ready => ready,
            "every tail knows where it starts");

        await PublishToEveryPartition(topic, 8, 200, valueBytes: 100);
        await Task.WhenAll(readers.Select(reader => reader.PullAsync(200, Deadline)));

        // One record over at most: a window keeps its newest record whatever the bound.
        Assert.InRange(storage.SharedTailWindowBytes, 1, windows + StoredRecord.OverheadBytes + 200);
        readers.ForEach(reader => reader.KillSwitch.Shutdown());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Readers_pausing_at_random_across_the_tail_and_catch_up_see_no_gap_duplicate_or_reordering(int seed)
    {
        const int records = 2000;
        var random = new Random(seed);
        using var storage = NewStorage(windowBytes: 2 * 1024, readerBuffer: 50);
        var topic = _cluster.NewTopic(1);
        var starts = new[] { StartPosition.At(0), StartPosition.Earliest, StartPosition.At(0), StartPosition.At(0) };
        var readers = starts.Select(start => storage.PartitionSource(topic, 0, start).Records().PullOnDemand(_materializer)).ToList();
        var pauses = readers.Select(_ => Enumerable.Range(0, 40).Select(_ => (Every: random.Next(1, 120), Pause: random.Next(0, 30))).ToList()).ToList();

        var publishing = PublishToEveryPartition(topic, 1, records, valueBytes: 100);
        var reads = await Task.WhenAll(readers.Select((reader, i) => ReadWithPausesAsync(reader, records, pauses[i])));
        await publishing;

        for (var i = 0; i < readers.Count; i++)
        {
            Assert.Equal(Enumerable.Range(0, records).Select(o => (long)o), reads[i].Select(r => r.Offset));
            readers[i].KillSwitch.Shutdown();
        }
    }

    [Fact]
    public async Task A_reader_that_stops_pulling_holds_a_bounded_buffer_while_the_other_partitions_read_everything()
    {
        const int perPartition = 1000;
        const int bufferBound = 50;
        using var storage = NewStorage(readerBuffer: bufferBound);
        var topic = _cluster.NewTopic(4);
        await PublishToEveryPartition(topic, 4, perPartition);

        var stalled = storage.PartitionSource(topic, 0, StartPosition.Earliest).Records().PullOnDemand(_materializer);
        var firstTen = await stalled.PullAsync(10, Deadline);
        var others = await Task.WhenAll(Enumerable.Range(1, 3).Select(p =>
            storage.PartitionSource(topic, p, StartPosition.Earliest).Records().Take(perPartition)
                .RunWith(Sink.Seq<StoredRecord>(), _materializer).WaitAsync(Deadline)));

        Assert.All(others, read => Assert.Equal(Enumerable.Range(0, perPartition).Select(o => (long)o), read.Select(r => r.Offset)));
        Assert.True(storage.BufferedRecords.Max() <= bufferBound, $"a reader buffered {storage.BufferedRecords.Max()} records");
        // Had pausing not stopped the partition's fetching, its remaining ~940 records would have arrived and been dropped.
        Assert.True(storage.LateRecords < bufferBound, $"{storage.LateRecords} records arrived after their partition was paused");

        var rest = await stalled.PullAsync(perPartition - 10, Deadline);
        Assert.Equal(Enumerable.Range(0, perPartition).Select(o => (long)o), firstTen.Concat(rest).Select(r => r.Offset));
        stalled.KillSwitch.Shutdown();
    }

    [Fact]
    public async Task Reading_commits_nothing_to_kafka()
    {
        using var storage = NewStorage();
        var topic = _cluster.NewTopic(1);
        for (var i = 0; i < 5; i++)
        {
            await storage.PublishAsync(topic, Record($"v{i}"), CancellationToken.None);
        }

        var read = await storage.PartitionSource(topic, 0, StartPosition.Earliest).Records().Take(5)
            .RunWith(Sink.Seq<StoredRecord>(), _materializer).WaitAsync(Deadline);
        Assert.Equal(5, read.Count);

        using var sameGroup = PlainKafkaClients.Consumer(_cluster, KafkaClientConfigs.UnusedGroupId);
        var committed = sameGroup.Committed([new TopicPartition(topic, 0)], Deadline);
        Assert.Equal(Offset.Unset, committed.Single().Offset);
    }

    [Fact]
    public async Task Pooled_consumers_read_librdkafkas_queue_in_batches()
    {
        using var storage = NewStorage();
        var topic = _cluster.NewTopic(1);
        await PublishOfEveryShapeAsync(topic, partitions: 1, perPartition: 300);

        var read = await ReadEveryPartitionAsync(storage, topic, partitions: 1, perPartition: 300);

        Assert.Equal(Enumerable.Range(0, 300).Select(o => (long)o), read.Select(r => r.Offset));
        // Had Confluent.Kafka's internals moved (the native library's binding, the consumer's handle), the consumers
        // would read record by record, correct but slower: this says so before a benchmark would.
        Assert.True(storage.EveryConsumerReadsInBatches, "a consumer reads record by record");
    }

    [Fact]
    public async Task Records_read_in_batches_are_the_records_consume_reads_one_by_one()
    {
        // Two topics through one consumer: a batch mixes them, and each record must keep its own topic's partition.
        var topics = new[] { _cluster.NewTopic(2), _cluster.NewTopic(2) };
        foreach (var topic in topics)
        {
            await PublishOfEveryShapeAsync(topic, partitions: 2, perPartition: 200);
        }

        using var batched = NewStorage();
        using var oneByOne = NewStorage(readInBatches: false);
        var inBatches = await Task.WhenAll(topics.Select(topic => ReadEveryPartitionAsync(batched, topic, partitions: 2, perPartition: 200)));
        var byConsume = await Task.WhenAll(topics.Select(topic => ReadEveryPartitionAsync(oneByOne, topic, partitions: 2, perPartition: 200)));

        Assert.True(batched.EveryConsumerReadsInBatches, "a consumer reads record by record");
        Assert.False(oneByOne.EveryConsumerReadsInBatches, "the record-by-record storage read in batches");
        for (var t = 0; t < topics.Length; t++)
        {
            Assert.Equal(400, byConsume[t].Count);
            Assert.Equal(byConsume[t].Select(Described), inBatches[t].Select(Described));
        }
    }

    /// <summary>Every field of a record, bytes as text, so two reads compare as a whole.</summary>
    private static string Described(StoredRecord record) =>
        $"{record.Partition}@{record.Offset} key={(record.Key is null ? "null" : Convert.ToHexString(record.Key))} " +
        $"value={Convert.ToHexString(record.Value)} at={record.Timestamp.ToUnixTimeMilliseconds()} " +
        $"headers=[{string.Join(",", record.Headers.Select(h => $"{h.Name}:{Convert.ToHexString(h.Value)}"))}]";

    /// <summary>
    /// Records of every shape: with and without a key (empty too), empty values, no headers, several headers (one
    /// without a value), and timestamps of their own.
    /// </summary>
    private async Task PublishOfEveryShapeAsync(string topic, int partitions, int perPartition)
    {
        using var producer = PlainKafkaClients.Producer(_cluster);
        for (var p = 0; p < partitions; p++)
        {
            for (var i = 0; i < perPartition; i++)
            {
                var headers = new Headers();
                for (var h = 0; h < i % 3; h++)
                {
                    headers.Add($"h{h}-ü", h == 1 ? null : [(byte)i, (byte)h]);
                }

                producer.Produce(new TopicPartition(topic, p), new Message<byte[]?, byte[]>
                {
                    Key = (i % 4) switch { 0 => null, 1 => [], _ => [(byte)p, (byte)i, (byte)(i >> 8)] },
                    Value = i % 5 == 0 ? [] : Enumerable.Range(0, i % 300).Select(b => (byte)(b + i)).ToArray(),
                    Headers = headers,
                    Timestamp = new Timestamp(1_700_000_000_000 + (p * 1_000_000) + i, TimestampType.CreateTime),
                });
            }
        }

        await Task.Run(() => producer.Flush(Deadline));
    }

    private async Task<List<StoredRecord>> ReadEveryPartitionAsync(KafkaRecordsStorage storage, string topic, int partitions, int perPartition)
    {
        var reads = await Task.WhenAll(Enumerable.Range(0, partitions).Select(p =>
            storage.PartitionSource(topic, p, StartPosition.Earliest).Records().Take(perPartition)
                .RunWith(Sink.Seq<StoredRecord>(), _materializer).WaitAsync(Deadline)));
        return [.. reads.SelectMany(read => read)];
    }

    private KafkaRecordsStorage NewStorage(
        Dictionary<string, string>? properties = null,
        int readerBuffer = 500,
        TimeSpan? idleTimeout = null,
        int spreadOverConsumers = 1,
        int maxConsumers = 4,
        long windowBytes = 2 * 1024 * 1024,
        long windowsBytes = 256L * 1024 * 1024,
        bool readInBatches = true) =>
        new(
            _cluster.StorageOptions(properties) with
            {
                ReadInBatches = readInBatches,
                ReaderBufferRecords = readerBuffer,
                ConsumerIdleTimeout = idleTimeout ?? TimeSpan.FromSeconds(30),
                SpreadOverConsumers = spreadOverConsumers,
                MaxConsumers = maxConsumers,
                SharedTailWindowBytes = windowBytes,
                SharedTailWindowsBytes = windowsBytes,
            },
            _materializer);

    private static PartitionBuffer NewBuffer(TopicPartition topicPartition, bool evictable = true) =>
        new(topicPartition, 0, 100, 1024 * 1024, ByteBudget.Unbounded(), () => { }, _ => { }) { Evictable = evictable };

    /// <summary>Pulls <paramref name="count"/> records, pausing <c>Pause</c> ms after every <c>Every</c> of them.</summary>
    private static async Task<List<StoredRecord>> ReadWithPausesAsync(OnDemandReader reader, int count, List<(int Every, int Pause)> pauses)
    {
        var read = new List<StoredRecord>(count);
        var step = 0;
        while (read.Count < count)
        {
            var (every, pause) = pauses[step++ % pauses.Count];
            read.AddRange(await reader.PullAsync(Math.Min(every, count - read.Count), Deadline));
            // The pause is the behaviour under test: the reader stops pulling while records keep coming.
            await Task.Delay(pause);
        }

        return read;
    }

    /// <summary>A new topic of one partition holding <paramref name="records"/> records from offset 0.</summary>
    private async Task<string> OnePartitionHoldingAsync(int records)
    {
        var topic = _cluster.NewTopic(1);
        await PublishToEveryPartition(topic, 1, records);
        return topic;
    }

    private async Task PublishToEveryPartition(string topic, int partitions, int perPartition, int valueBytes = 0)
    {
        using var producer = PlainKafkaClients.Producer(_cluster);
        for (var p = 0; p < partitions; p++)
        {
            for (var i = 0; i < perPartition; i++)
            {
                var value = Encoding.UTF8.GetBytes($"p{p}-{i}");
                producer.Produce(
                    new TopicPartition(topic, p),
                    new Message<byte[]?, byte[]> { Value = valueBytes > value.Length ? [.. value, .. new byte[valueBytes - value.Length]] : value });
            }
        }

        await Task.Run(() => producer.Flush(Deadline));
    }

    private static OutgoingRecord Record(string value, string? key = null) =>
        new(key is null ? null : Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value), [], DateTimeOffset.UtcNow);
}
