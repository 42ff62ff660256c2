using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Liiklus.Storage.Positions.Redis;

/// <summary>Creates the one Redis connection a node shares.</summary>
public static class RedisConnection
{
    /// <summary>
    /// Never throws because Redis is down, and waits at most one connect timeout for it: the multiplexer is
    /// returned disconnected and keeps reconnecting in the background, so the gateway starts and recovers by
    /// itself once Redis answers.
    /// </summary>
    /// <param name="logger">where outages and recoveries are reported, once each</param>
    public static ConnectionMultiplexer Connect(RedisPositionsOptions options, ILogger? logger = null)
    {
        var commandTimeout = (int)options.CommandTimeout.TotalMilliseconds;
        var configuration = new ConfigurationOptions
        {
            EndPoints = { { options.Host, options.Port } },
            Password = options.Password,
            DefaultDatabase = options.Database,
            Ssl = options.Ssl,
            ClientName = "liiklus-dotnet",
            ConnectTimeout = (int)options.ConnectTimeout.TotalMilliseconds,
            // One attempt before start-up goes on; the reconnect policy below takes over from there.
            ConnectRetry = 1,
            SyncTimeout = commandTimeout,
            AsyncTimeout = commandTimeout,
            AbortOnConnectFail = false,
            // A command is refused at once while the connection is down instead of queueing: an ack the client
            // was told failed must not be applied later behind its back, and the client learns at once.
            BacklogPolicy = BacklogPolicy.FailFast,
            // Bounded back-off so a node is back within seconds of Redis returning, whatever the outage length.
            ReconnectRetryPolicy = new ExponentialRetry(deltaBackOffMilliseconds: 250, maxDeltaBackOffMilliseconds: 2000),
        };
        var redis = ConnectionMultiplexer.Connect(configuration);
        if (logger is not null)
        {
            ReportOutages(redis, options, logger);
        }

        return redis;
    }

    // StackExchange.Redis's own log reports every reconnect attempt, a few lines a second through an outage;
    // an operator needs the changes only: lost once, back once.
    private static void ReportOutages(ConnectionMultiplexer redis, RedisPositionsOptions options, ILogger logger)
    {
        var down = 0;
        if (!redis.IsConnected)
        {
            down = 1;
            logger.LogWarning(
                "Redis positions storage at {Endpoint} is not reachable; acks and position reads answer UNAVAILABLE until it is",
                options.Endpoint);
        }

        redis.ConnectionFailed += (_, failed) =>
        {
            if (failed.ConnectionType == ConnectionType.Interactive && Interlocked.Exchange(ref down, 1) == 0)
            {
                logger.LogWarning(
                    failed.Exception,
                    "Redis positions storage at {Endpoint} lost its connection ({FailureType}); reconnecting in the background",
                    options.Endpoint,
                    failed.FailureType);
            }
        };
        redis.ConnectionRestored += (_, restored) =>
        {
            if (restored.ConnectionType == ConnectionType.Interactive && Interlocked.Exchange(ref down, 0) == 1)
            {
                logger.LogInformation("Redis positions storage at {Endpoint} is reachable again", options.Endpoint);
            }
        };
    }
}
