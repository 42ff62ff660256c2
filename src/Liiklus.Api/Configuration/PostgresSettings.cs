using Liiklus.Storage.Positions.Postgres;
using Config = Akka.Configuration.Config;

namespace Liiklus.Api.Configuration;

/// <summary>Reads <c>liiklus.storage.postgres</c>, the PostgreSQL positions storage's settings.</summary>
public static class PostgresSettings
{
    public static PostgresPositionsOptions From(Config liiklus)
    {
        var postgres = liiklus.GetConfig("storage.postgres");
        return new PostgresPositionsOptions
        {
            ConnectionString = postgres.GetString("connection-string", "").Trim(),
            CommandTimeout = postgres.GetTimeSpan("command-timeout"),
        };
    }
}
