namespace Liiklus.Storage.Cold;

/// <summary>Which cold store the gateway archives to and replays from (<c>cold_type</c>).</summary>
public enum ColdStoreType
{
    /// <summary>No cold storage: nothing is archived, and a position below Kafka's retention starts at the oldest record.</summary>
    None,
    S3,
    Postgres,
}
