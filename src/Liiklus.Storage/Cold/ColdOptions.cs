using Liiklus.Storage.Cold.Postgres;
using Liiklus.Storage.Cold.S3;

namespace Liiklus.Storage.Cold;

/// <summary>Cold storage: which store, which topics are archived, when a segment is cut, and each store's settings.</summary>
public sealed record ColdOptions
{
    public ColdStoreType Type { get; init; } = ColdStoreType.None;

    public ColdTopics Topics { get; init; } = ColdTopics.None;

    /// <summary>A segment is cut once its records reach this many bytes (as <see cref="ColdRecord.SizeInBytes"/> counts them).</summary>
    public long SegmentMaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>A segment is cut once its first record is this old; keep it well inside the topics' retention.</summary>
    public TimeSpan SegmentMaxAge { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Bytes of blocks the node keeps for replays (<c>cold_blockCacheBytes</c>): readers of the same range share them,
    /// so a block is fetched from the store once while it stays cached.
    /// </summary>
    public long BlockCacheBytes { get; init; } = 256L * 1024 * 1024;

    public S3ColdOptions S3 { get; init; } = new();

    public PostgresColdOptions Postgres { get; init; } = new();

    /// <summary>Whether <paramref name="topic"/> is archived: a cold store is set and the topic is named.</summary>
    public bool Archives(string topic) => Type != ColdStoreType.None && Topics.Matches(topic);
}
