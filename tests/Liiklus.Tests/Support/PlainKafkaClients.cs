using Confluent.Kafka;

namespace Liiklus.Tests.Support;

/// <summary>
/// Confluent.Kafka clients configured as another service sharing the cluster would configure them, without any
/// of the gateway's code.
/// </summary>
public static class PlainKafkaClients
{
    /// <summary>Hashes keys as Kafka's Java producer does (murmur2), as a Java service would.</summary>
    public static IProducer<byte[]?, byte[]> Producer(MockKafkaCluster cluster) =>
        new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            Partitioner = Partitioner.Murmur2Random,
            LingerMs = 5,
        }).SetLogHandler((_, _) => { }).Build();

    public static IConsumer<byte[]?, byte[]> Consumer(MockKafkaCluster cluster, string groupId = "plain-consumer") =>
        new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = groupId,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchWaitMaxMs = 10,
        }).SetLogHandler((_, _) => { }).Build();

    /// <summary>Consumes one record of an assigned partition, or fails at the deadline.</summary>
    public static ConsumeResult<byte[]?, byte[]> ConsumeOne(this IConsumer<byte[]?, byte[]> consumer, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? Eventually.DefaultDeadline);
        while (DateTime.UtcNow < until)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { Message: not null } result)
            {
                return result;
            }
        }

        throw new TimeoutException("no record arrived");
    }
}
