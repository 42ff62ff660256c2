namespace Liiklus.Storage.Positions.DynamoDb;

/// <summary>Liiklus's DynamoDB settings, and how long a call may take. Region and credentials come from the AWS SDK's chain.</summary>
public sealed record DynamoDbPositionsOptions
{
    /// <summary>An endpoint other than AWS's for the region (e.g. <c>http://localhost:4567</c>); null means AWS's.</summary>
    public string? Endpoint { get; init; }

    /// <summary>The positions table: Liiklus's layout, hash key <c>topic</c>, range key <c>groupId</c>.</summary>
    public string PositionsTable { get; init; } = "";

    /// <summary>Create the table (on demand capacity) when it does not exist.</summary>
    public bool AutoCreateTable { get; init; }

    /// <summary>How long one storage call (an ack, a read of positions) may take before it answers "unavailable".</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a listing of every stored group (a Scan of the table) is answered again before the next call scans
    /// anew. A listing of one topic is a Query, never kept.
    /// </summary>
    public TimeSpan ListingMaxAge { get; init; } = TimeSpan.FromSeconds(5);
}
