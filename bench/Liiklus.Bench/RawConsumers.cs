using System.Diagnostics;
using Confluent.Kafka;
using Liiklus.Tests.Support;

namespace Liiklus.Bench;

/// <summary>
/// The receive_kafka baseline: plain Confluent.Kafka consumers with tuned fetch settings, each reading its share
/// of a topic's partitions on a thread of its own.
/// </summary>
public sealed class RawConsumers : IDisposable
{
    private readonly string _topic;
    private readonly List<IConsumer<byte[]?, byte[]>> _consumers;

    public RawConsumers(MockKafkaCluster kafka, string topic, int count)
    {
        _topic = topic;
        _consumers = Enumerable.Range(0, count).Select(_ => Build(kafka)).ToList();
        // Connected, with the topic's metadata, before the first round, as the gateway's pooled consumers are.
        foreach (var consumer in _consumers)
        {
            consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Reads every partition from its beginning; answers records per second.</summary>
    public double ReadAll(int partitions, int perPartition)
    {
        var clock = Stopwatch.StartNew();
        var readers = _consumers
            .Select((consumer, i) => (Consumer: consumer, Partitions: Enumerable.Range(0, partitions).Where(p => p % _consumers.Count == i).ToList()))
            .Where(share => share.Partitions.Count > 0)
            .Select(share => new Thread(() => Read(share.Consumer, share.Partitions, perPartition)))
            .ToList();
        readers.ForEach(reader => reader.Start());
        readers.ForEach(reader => reader.Join());
        return partitions * perPartition / clock.Elapsed.TotalSeconds;
    }

    public void Dispose() => _consumers.ForEach(consumer => consumer.Dispose());

    private void Read(IConsumer<byte[]?, byte[]> consumer, IReadOnlyList<int> partitions, int perPartition)
    {
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(_topic, p, Offset.Beginning)));
        var remaining = perPartition * partitions.Count;
        while (remaining > 0)
        {
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is { Message: not null })
            {
                remaining--;
            }
        }

        consumer.Unassign();
    }

    private static IConsumer<byte[]?, byte[]> Build(MockKafkaCluster kafka) =>
        new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            GroupId = "bench-raw",
            EnableAutoCommit = false,
            // Storing each consumed offset costs librdkafka a lock per record; the gateway does not store them either.
            EnableAutoOffsetStore = false,
            MaxPartitionFetchBytes = 10 * 1024 * 1024,
            FetchMaxBytes = 50 * 1024 * 1024,
            FetchWaitMaxMs = 10,
            // As the gateway's consumers: never idle a second after a full prefetch.
            FetchQueueBackoffMs = 10,
        }).SetLogHandler((_, _) => { }).Build();
}
