using System.Diagnostics.Metrics;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Liiklus.Storage.Telemetry;

public static class StorageTelemetryRegistration
{
    /// <summary>
    /// Wraps the registered records and positions storages in their instrumented decorators (spans always, metrics
    /// when <paramref name="measure"/>). Call it after the storages are registered.
    /// </summary>
    /// <param name="records">the records storage's name in metrics and spans</param>
    /// <param name="positions">the positions storage's name in metrics and spans</param>
    public static IServiceCollection AddStorageTelemetry(this IServiceCollection services, string records, string positions, bool measure)
    {
        if (measure)
        {
            services.AddSingleton(provider =>
            {
                var metrics = new StorageMetrics(provider.GetRequiredService<IMeterFactory>());
                if (provider.GetService<KafkaRecordsStorage>() is { } kafka)
                {
                    metrics.Observe(kafka);
                }

                if (provider.GetService<ByteBudget>() is { } budget)
                {
                    metrics.Observe(budget);
                }

                return metrics;
            });
        }

        Decorate<IRecordsStorage>(services, (inner, provider) =>
            new InstrumentedRecordsStorage(inner, records, provider.GetService<StorageMetrics>()));
        Decorate<IPositionsStorage>(services, (inner, provider) =>
            new InstrumentedPositionsStorage(inner, positions, provider.GetService<StorageMetrics>()));
        return services;
    }

    private static void Decorate<TService>(IServiceCollection services, Func<TService, IServiceProvider, TService> decorate)
        where TService : class
    {
        var index = FindLast(services, typeof(TService));
        if (index < 0)
        {
            throw new InvalidOperationException($"no {typeof(TService).Name} is registered to instrument");
        }

        var original = services[index];
        services[index] = ServiceDescriptor.Singleton(provider => decorate(Resolve<TService>(original, provider), provider));
    }

    private static TService Resolve<TService>(ServiceDescriptor original, IServiceProvider provider)
        where TService : class =>
        (TService)(original.ImplementationInstance
            ?? original.ImplementationFactory?.Invoke(provider)
            ?? ActivatorUtilities.CreateInstance(provider, original.ImplementationType!));

    private static int FindLast(IServiceCollection services, Type type)
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == type && !services[i].IsKeyedService)
            {
                return i;
            }
        }

        return -1;
    }
}
