using Liiklus.Actors.Browsing;

namespace Liiklus.Api.Admin;

/// <summary>A validated Browse request.</summary>
/// <param name="Partitions">the partitions asked for, distinct and ordered; every partition of the topic when empty</param>
/// <param name="Limit">records to send at most; null for no limit</param>
public sealed record BrowseQuery(
    string Topic,
    IReadOnlyList<int> Partitions,
    BrowseFrom From,
    RecordFilter Filter,
    int? Limit,
    bool Follow);
