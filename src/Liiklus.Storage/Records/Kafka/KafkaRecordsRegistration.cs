using Akka.Streams;
using Liiklus.Storage.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Liiklus.Storage.Records.Kafka;

public static class KafkaRecordsRegistration
{
    /// <summary>
    /// The Kafka records storage. It runs its shared fetches with the container's <see cref="IMaterializer"/>, bounds
    /// its buffers by the container's <see cref="ByteBudget"/> when there is one, and logs librdkafka's lines through
    /// <see cref="ILogger"/>. Nothing connects here, so the gateway starts while Kafka is down.
    /// </summary>
    /// <exception cref="InvalidOperationException">no bootstrap servers are configured</exception>
    public static IServiceCollection AddKafkaRecordsStorage(this IServiceCollection services, KafkaRecordsOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.BootstrapServers))
        {
            throw new InvalidOperationException(
                "storage_records_type KAFKA needs kafka_bootstrapServers (liiklus.storage.kafka.bootstrap-servers)");
        }

        // A factory, not an instance: the container then disposes it, closing the Kafka clients on shutdown.
        return services
            .AddSingleton(provider => new KafkaRecordsStorage(
                options,
                provider.GetRequiredService<IMaterializer>,
                provider.GetService<ByteBudget>(),
                LibrdkafkaLog.To(provider.GetRequiredService<ILogger<KafkaRecordsStorage>>())))
            .AddSingleton<IRecordsStorage>(provider => provider.GetRequiredService<KafkaRecordsStorage>());
    }
}
