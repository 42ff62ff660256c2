using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Liiklus.Storage.Positions.Redis;

/// <summary>Creates the one Redis connection a node shares.</summary>
public static class RedisConnection
{
    /// <summary>
    /// Never throws because Redis is down: the multiplexer is returned disconnected and keeps reconnecting in
    /// the background, so the gateway starts and recovers by itself once Redis answers.
    /// </summary>
    public static ConnectionMultiplexer Connect(RedisPositionsOptions options, ILoggerFactory? loggerFactory = null)
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
            SyncTimeout = commandTimeout,
            AsyncTimeout = commandTimeout,
            AbortOnConnectFail = false,
            // A command is refused at once while the connection is down instead of queueing: an ack the client
            // was told failed must not be applied later behind its back, and the client learns at once.
            BacklogPolicy = BacklogPolicy.FailFast,
            // Bounded back-off so a node is back within seconds of Redis returning, whatever the outage length.
            ReconnectRetryPolicy = new ExponentialRetry(deltaBackOffMilliseconds: 250, maxDeltaBackOffMilliseconds: 2000),
            LoggerFactory = loggerFactory,
        };
        return ConnectionMultiplexer.Connect(configuration);
    }
}
