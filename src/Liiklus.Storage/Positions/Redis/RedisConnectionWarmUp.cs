using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Liiklus.Storage.Positions.Redis;

/// <summary>
/// Opens the node's Redis connection while the gateway starts rather than inside the first call, whose deadline
/// a slow first connection attempt (an unreachable host waits the whole connect timeout) could eat up.
/// Being constructed is the whole job; it never fails start-up, since the connection retries by itself.
/// </summary>
internal sealed class RedisConnectionWarmUp : IHostedService
{
    // Resolving the multiplexer is what opens the connection.
    public RedisConnectionWarmUp(IConnectionMultiplexer redis) => ArgumentNullException.ThrowIfNull(redis);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
