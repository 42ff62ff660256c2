using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Liiklus.Storage.Positions.Postgres;

public static class PostgresPositionsRegistration
{
    /// <summary>
    /// Positions in PostgreSQL. Nothing connects here: the table is created on first use, so the gateway starts
    /// while PostgreSQL is down and serves once it is up.
    /// </summary>
    /// <exception cref="InvalidOperationException">no connection string, or one Npgsql cannot read</exception>
    public static IServiceCollection AddPostgresPositionsStorage(this IServiceCollection services, PostgresPositionsOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new InvalidOperationException(
                "storage_positions_type POSTGRES needs postgres_connectionString (liiklus.storage.postgres.connection-string), " +
                "an Npgsql connection string such as Host=db;Database=liiklus;Username=liiklus;Password=...");
        }

        try
        {
            _ = options.Endpoint;
        }
        catch (ArgumentException e)
        {
            // Npgsql names the keyword it cannot read, never a value, so the password stays out of the message.
            throw new InvalidOperationException($"postgres_connectionString is not an Npgsql connection string: {e.Message}", e);
        }

        // A factory, so the container disposes the storage and with it the connection pool when the gateway stops.
        return services.AddSingleton<IPositionsStorage>(provider =>
            new PostgresPositionsStorage(options, provider.GetRequiredService<ILogger<PostgresPositionsStorage>>()));
    }
}
