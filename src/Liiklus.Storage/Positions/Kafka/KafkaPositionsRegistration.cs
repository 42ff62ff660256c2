using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Liiklus.Storage.Positions.Kafka;

public static class KafkaPositionsRegistration
{
    /// <summary>
    /// Positions as Kafka consumer-group offsets. Nothing connects here, so the gateway starts while Kafka is down.
    /// </summary>
    /// <exception cref="InvalidOperationException">no bootstrap servers are configured</exception>
    public static IServiceCollection AddKafkaPositionsStorage(this IServiceCollection services, KafkaPositionsOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.BootstrapServers))
        {
            throw new InvalidOperationException(
                "storage_positions_type KAFKA needs kafka_bootstrapServers (liiklus.storage.kafka.bootstrap-servers), " +
                "or kafka_positionsBootstrapServers (liiklus.storage.kafka-positions.bootstrap-servers) for a cluster of its own");
        }

        // A factory, so the container disposes the storage and with it the admin client when the gateway stops.
        return services.AddSingleton<IPositionsStorage>(provider =>
            new KafkaPositionsStorage(options, provider.GetRequiredService<ILogger<KafkaPositionsStorage>>()));
    }
}
