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
/// The pooled consumers take records from librdkafka's queue in batches, past Confluent.Kafka's per-record
/// <c>Consume</c>: what they read must be what <c>Consume</c> reads.
/// </summary>
public sealed class KafkaBatchReadSpecs : TestKit, IClassFixture<MockKafkaCluster>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly MockKafkaCluster _cluster;
    private readonly IMaterializer _materializer;

    public KafkaBatchReadSpecs(MockKafkaCluster cluster)
    {
        _cluster = cluster;
        _materializer = Sys.Materializer();
    }

    [Fact]
    public async Task Pooled_consumers_read_librdkafkas_queue_in_batches()
    {
        using var storage = NewStorage(readInBatches: true);
        var topic = _cluster.NewTopic(1);
        await PublishAsync(topic, partitions: 1, perPartition: 300);

        var read = await ReadAllAsync(storage, topic, partitions: 1, perPartition: 300);

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
            await PublishAsync(topic, partitions: 2, perPartition: 200);
        }

        using var batched = NewStorage(readInBatches: true);
        using var oneByOne = NewStorage(readInBatches: false);
        var inBatches = await Task.WhenAll(topics.Select(topic => ReadAllAsync(batched, topic, partitions: 2, perPartition: 200)));
        var byConsume = await Task.WhenAll(topics.Select(topic => ReadAllAsync(oneByOne, topic, partitions: 2, perPartition: 200)));

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
    private async Task PublishAsync(string topic, int partitions, int perPartition)
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

    private async Task<List<StoredRecord>> ReadAllAsync(KafkaRecordsStorage storage, string topic, int partitions, int perPartition)
    {
        var reads = await Task.WhenAll(Enumerable.Range(0, partitions).Select(p =>
            storage.PartitionSource(topic, p, StartPosition.Earliest).Records().Take(perPartition)
                .RunWith(Sink.Seq<StoredRecord>(), _materializer).WaitAsync(Deadline)));
        return [.. reads.SelectMany(read => read)];
    }

    private KafkaRecordsStorage NewStorage(bool readInBatches) =>
        new(_cluster.StorageOptions() with { ReadInBatches = readInBatches, SpreadOverConsumers = 1 }, _materializer);
}
