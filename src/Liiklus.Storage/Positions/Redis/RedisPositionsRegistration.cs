using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Liiklus.Storage.Positions.Redis;

public static class RedisPositionsRegistration
{
    /// <summary>
    /// The Redis positions storage over one connection per node, opened while the gateway starts; the container
    /// disposes it when the gateway stops.
    /// </summary>
    public static IServiceCollection AddRedisPositionsStorage(this IServiceCollection services, RedisPositionsOptions options) =>
        services
            .AddSingleton<IConnectionMultiplexer>(provider =>
                RedisConnection.Connect(options, provider.GetRequiredService<ILogger<RedisPositionsStorage>>()))
            .AddSingleton<IPositionsStorage>(provider =>
                new RedisPositionsStorage(provider.GetRequiredService<IConnectionMultiplexer>(), options))
            .AddHostedService<RedisConnectionWarmUp>();
}
