using Liiklus.Storage.Positions.Postgres;

namespace Liiklus.Api.Configuration;

/// <summary>Reads <c>liiklus.storage.postgres</c>, the PostgreSQL positions storage's settings.</summary>
public static class PostgresSettings
{
    public static PostgresPositionsOptions From(SettingsReader read) => new()
    {
        // Never range-checked: a problem line would print it, password and all.
        ConnectionString = read.String("liiklus.storage.postgres.connection-string").Trim(),
        CommandTimeout = read.Duration("liiklus.storage.postgres.command-timeout", TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1)),
    };
}
