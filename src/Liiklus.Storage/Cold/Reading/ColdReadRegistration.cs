using System.Diagnostics.Metrics;
using Akka.Streams;
using Liiklus.Storage.Cold.Archiving;
using Liiklus.Storage.Cold.Telemetry;
using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Liiklus.Storage.Cold.Reading;

public static class ColdReadRegistration
{
    /// <summary>
    /// <see cref="ColdMetrics"/> always (the admin API's cold status reads it); with cold storage on, the read path
    /// over the registered Kafka records storage (a decorator of <see cref="IRecordsStorage"/>), the node's block
    /// cache, and the Kafka storage as the archivers' <see cref="IArchiveSource"/>. Call it after the records storage
    /// and the cold store are registered, before the storages are instrumented.
    /// </summary>
    /// <exception cref="InvalidOperationException">cold storage is on but the records are not in Kafka</exception>
    public static IServiceCollection AddColdReadPath(this IServiceCollection services, ColdOptions options, bool recordsInKafka)
    {
        services.AddSingleton(provider => new ColdMetrics(provider.GetService<IMeterFactory>()));
        if (options.Type == ColdStoreType.None)
        {
            return services;
        }

        if (!recordsInKafka)
        {
            throw new InvalidOperationException(
                "cold_type needs storage_records_type KAFKA: cold storage keeps what Kafka's retention deletes, and the in-memory records storage deletes nothing");
        }

        services.AddSingleton(provider => new ColdBlockCache(
            provider.GetRequiredService<IColdStore>(),
            options.BlockCacheBytes,
            provider.GetRequiredService<ColdMetrics>()));
        services.AddSingleton<IArchiveSource>(provider => provider.GetRequiredService<KafkaRecordsStorage>());
        var index = LastIndexOf(services, typeof(IRecordsStorage));
        var original = services[index];
        services[index] = ServiceDescriptor.Singleton<IRecordsStorage>(provider =>
        {
            var kafka = provider.GetRequiredService<KafkaRecordsStorage>();
            var inner = (IRecordsStorage)(original.ImplementationInstance ?? original.ImplementationFactory!.Invoke(provider));
            return new ColdRecordsStorage(
                inner,
                kafka,
                provider.GetRequiredService<IColdStore>(),
                options.Topics,
                provider.GetRequiredService<ColdBlockCache>(),
                provider.GetRequiredService<ColdMetrics>(),
                provider.GetRequiredService<IMaterializer>);
        });
        return services;
    }

    private static int LastIndexOf(IServiceCollection services, Type type)
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == type && !services[i].IsKeyedService)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"no {type.Name} is registered for cold storage to read behind");
    }
}
