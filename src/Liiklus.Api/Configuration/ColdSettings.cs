using Liiklus.Storage.Cold;
using Liiklus.Storage.Cold.Postgres;
using Liiklus.Storage.Cold.S3;

namespace Liiklus.Api.Configuration;

/// <summary>Reads <c>liiklus.cold</c>, the cold storage's settings (<c>cold_*</c>), and checks those that span keys.</summary>
public static class ColdSettings
{
    public static readonly string[] Types = ["NONE", "S3", "POSTGRES"];

    private const long MiB = 1024L * 1024;

    public static ColdOptions From(SettingsReader read)
    {
        var type = read.OneOf("liiklus.cold.type", Types) switch
        {
            "S3" => ColdStoreType.S3,
            "POSTGRES" => ColdStoreType.Postgres,
            _ => ColdStoreType.None,
        };
        var topicList = read.String("liiklus.cold.topics");
        ColdTopics? topics = null;
        try
        {
            topics = ColdTopics.Parse(topicList);
        }
        catch (FormatException e)
        {
            read.Reject("liiklus.cold.topics", topicList, $"comma-separated topic names or prefixes ending in '*' ({e.Message})");
        }

        if (type != ColdStoreType.None && topics is { IsEmpty: true })
        {
            read.Reject("liiklus.cold.topics", topicList, $"at least one topic name or prefix ending in '*' (required with cold_type {type.ToString().ToUpperInvariant()})");
        }

        var options = new ColdOptions
        {
            Type = type,
            Topics = topics ?? ColdTopics.None,
            SegmentMaxBytes = read.Bytes("liiklus.cold.segment-max-bytes", MiB, 1024 * MiB),
            SegmentMaxAge = read.Duration("liiklus.cold.segment-max-age", TimeSpan.FromSeconds(1), TimeSpan.FromDays(7)),
            BlockCacheBytes = read.Bytes("liiklus.cold.block-cache-bytes", 0, 64 * 1024 * MiB),
            S3 = new S3ColdOptions
            {
                Endpoint = read.String("liiklus.cold.s3.endpoint").Trim() is { Length: > 0 } endpoint ? endpoint : null,
                Bucket = read.String("liiklus.cold.s3.bucket").Trim(),
                Prefix = read.String("liiklus.cold.s3.prefix").Trim(),
                Region = read.String("liiklus.cold.s3.region").Trim() is { Length: > 0 } region ? region : null,
                PathStyle = read.Bool("liiklus.cold.s3.path-style"),
                CommandTimeout = read.Duration("liiklus.cold.s3.command-timeout", TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
            },
            Postgres = new PostgresColdOptions
            {
                // Never range-checked: a problem line would print it, password and all.
                ConnectionString = read.String("liiklus.cold.postgres.connection-string").Trim(),
                CommandTimeout = read.Duration("liiklus.cold.postgres.command-timeout", TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
            },
        };

        if (type == ColdStoreType.S3 && options.S3.Bucket.Length == 0)
        {
            read.Reject("liiklus.cold.s3.bucket", "", "the bucket's name (required with cold_type S3)");
        }

        if (type == ColdStoreType.S3 && options.S3.Endpoint is { } url &&
            (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            read.Reject("liiklus.cold.s3.endpoint", url, "an absolute http(s) URL such as http://minio:9000");
        }

        if (type == ColdStoreType.Postgres && options.Postgres.ConnectionString.Length == 0)
        {
            read.Reject("liiklus.cold.postgres.connection-string", "", "an Npgsql connection string (required with cold_type POSTGRES)");
        }

        return options;
    }
}
