using Liiklus.Storage.Positions.Redis;

namespace Liiklus.Api.Configuration;

/// <summary>Reads <c>liiklus.storage.redis</c>.</summary>
public static class RedisSettings
{
    public static RedisPositionsOptions From(SettingsReader read) => new()
    {
        Host = read.String("liiklus.storage.redis.host"),
        Port = read.Int("liiklus.storage.redis.port", 1, 65535),
        // Never range-checked: a problem line would print it.
        Password = read.String("liiklus.storage.redis.password") is { Length: > 0 } password ? password : null,
        Database = read.Int("liiklus.storage.redis.database", 0, 10_000),
        Ssl = read.Bool("liiklus.storage.redis.ssl"),
        ConnectTimeout = read.Duration("liiklus.storage.redis.connect-timeout", TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1)),
        CommandTimeout = read.Duration("liiklus.storage.redis.command-timeout", TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1)),
    };
}
