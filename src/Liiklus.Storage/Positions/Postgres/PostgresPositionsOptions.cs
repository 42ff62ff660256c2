using System.Text;
using Npgsql;

namespace Liiklus.Storage.Positions.Postgres;

/// <summary>Where the PostgreSQL positions storage connects and how long a call may take.</summary>
public sealed record PostgresPositionsOptions
{
    /// <summary>An Npgsql connection string (<c>Host=...;Port=...;Database=...;Username=...;Password=...</c>).</summary>
    public string ConnectionString { get; init; } = "";

    /// <summary>How long one storage call (an ack, a read of positions) may take before it answers "unavailable".</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>host:port/database, for logs and error messages: never the password.</summary>
    public string Endpoint
    {
        get
        {
            var parsed = new NpgsqlConnectionStringBuilder(ConnectionString);
            return $"{parsed.Host}:{parsed.Port}/{parsed.Database ?? parsed.Username}";
        }
    }

    // The connection string holds the password: print where it points only.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Endpoint = {(ConnectionString.Length == 0 ? "none" : Endpoint)}, CommandTimeout = {CommandTimeout}");
        return true;
    }
}
