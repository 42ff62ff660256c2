using StackExchange.Redis;

namespace Liiklus.Api.Configuration;

/// <summary>
/// Opens the node's Redis connection while the gateway starts rather than inside the first call, whose deadline
/// a slow first connection attempt (an unreachable host waits the whole connect timeout) could eat up.
/// Being constructed is the whole job: it never fails start-up, since the connection retries by itself.
/// </summary>
public sealed class RedisConnectionWarmUp(IConnectionMultiplexer redis, ILogger<RedisConnectionWarmUp> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!redis.IsConnected)
        {
            logger.LogWarning("Redis positions storage is not reachable yet; acks and reads answer UNAVAILABLE until it is");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
