using System.Text;

namespace Liiklus.Storage.Positions.Redis;

/// <summary>Where the Redis positions storage connects and how long a call may wait for Redis.</summary>
public sealed record RedisPositionsOptions
{
    public string Host { get; init; } = "localhost";

    public int Port { get; init; } = 6379;

    /// <summary>AUTH password; null means none.</summary>
    public string? Password { get; init; }

    public int Database { get; init; }

    public bool Ssl { get; init; }

    /// <summary>How long one connection attempt may take; reconnection goes on in the background after it.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one storage call (an ack, a read of positions) may wait before it answers "unavailable".</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a listing of the stored groups (a <c>SCAN</c> of the database) is answered again before the next
    /// call scans anew.
    /// </summary>
    public TimeSpan ListingMaxAge { get; init; } = TimeSpan.FromSeconds(5);

    public string Endpoint => $"{Host}:{Port}";

    // The settings end up in logs and exception messages: never print the password.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Endpoint = {Endpoint}, Database = {Database}, Ssl = {Ssl}, Password = {(Password is null ? "none" : "***")}, ");
        builder.Append($"ConnectTimeout = {ConnectTimeout}, CommandTimeout = {CommandTimeout}, ListingMaxAge = {ListingMaxAge}");
        return true;
    }
}
