using System.Text;
using Liiklus.Storage.Cold.Format;
using Npgsql;

namespace Liiklus.Storage.Cold.Postgres;

/// <summary>Where the PostgreSQL cold store connects.</summary>
public sealed record PostgresColdOptions
{
    /// <summary>An Npgsql connection string (<c>Host=...;Port=...;Database=...;Username=...;Password=...</c>).</summary>
    public string ConnectionString { get; init; } = "";

    /// <summary>How long one call may take before it answers "unavailable": long enough to upload one segment.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Uncompressed bytes after which a segment's block is closed.</summary>
    public int BlockBytes { get; init; } = ColdSegmentLayout.DefaultBlockBytes;

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
        builder.Append($"Endpoint = {(ConnectionString.Length == 0 ? "none" : Endpoint)}, CommandTimeout = {CommandTimeout}, BlockBytes = {BlockBytes}");
        return true;
    }
}
