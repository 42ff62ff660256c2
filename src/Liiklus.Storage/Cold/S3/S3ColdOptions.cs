using Liiklus.Storage.Cold.Format;

namespace Liiklus.Storage.Cold.S3;

/// <summary>Where the S3-compatible cold store keeps segments. Credentials come from the AWS SDK's default chain.</summary>
public sealed record S3ColdOptions
{
    /// <summary>An S3-compatible server's URL (MinIO, s3rver, ...); null for AWS S3 in <see cref="Region"/>.</summary>
    public string? Endpoint { get; init; }

    public string Bucket { get; init; } = "";

    /// <summary>Prepended to every object key, so that several gateways or clusters can share a bucket.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>The AWS region; with an <see cref="Endpoint"/>, the region requests are signed for (us-east-1 when empty).</summary>
    public string? Region { get; init; }

    /// <summary>Path-style URLs (<c>endpoint/bucket/key</c>), as MinIO and s3rver need; virtual-hosted style otherwise.</summary>
    public bool PathStyle { get; init; }

    /// <summary>How long one request to the store may take before it answers "unavailable".</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How old another writer's claim on a partition may get before it is taken for that of a writer that crashed:
    /// well above the time to upload one segment.
    /// </summary>
    public TimeSpan StaleClaimAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Uncompressed bytes after which a segment's block is closed.</summary>
    public int BlockBytes { get; init; } = ColdSegmentLayout.DefaultBlockBytes;
}
