using Liiklus.Storage.Cold;

namespace Liiklus.Actors.Cold;

/// <param name="Topics">the topics archived (<c>cold_topics</c>)</param>
/// <param name="SegmentMaxBytes">a segment is cut once its records reach this many bytes (<c>cold_segmentMaxBytes</c>)</param>
/// <param name="SegmentMaxAge">a segment is cut once it has been open this long (<c>cold_segmentMaxAge</c>): keep it well inside the topics' retention</param>
/// <param name="DiscoveryInterval">how often each node looks for new topics and partitions to archive</param>
/// <param name="RetryBackoff">how long an archiver waits before it tries again after Kafka or the store failed</param>
public sealed record ColdArchiveSettings(
    ColdTopics Topics,
    long SegmentMaxBytes,
    TimeSpan SegmentMaxAge,
    TimeSpan DiscoveryInterval,
    TimeSpan RetryBackoff);
