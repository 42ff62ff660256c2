namespace Liiklus.Client;

/// <summary>Cold storage of one partition: what the cold store holds beside what Kafka retains.</summary>
/// <param name="Topic">the topic</param>
/// <param name="Partition">the partition</param>
/// <param name="Archived">whether the cold store holds anything of the partition yet (the cold offsets are 0 until it does)</param>
/// <param name="ColdFirstOffset">the first offset the cold store holds</param>
/// <param name="ArchivedOffset">the next offset not yet archived</param>
/// <param name="EarliestOffset">Kafka's oldest retained record</param>
/// <param name="EndOffset">the offset the next record published gets</param>
/// <param name="Lag">records Kafka holds that are not archived yet</param>
/// <param name="Headroom">how far retention may advance before it overtakes the archiver (negative once it has)</param>
/// <param name="Gaps">ranges retention deleted before they were archived, each [from, to)</param>
public sealed record ColdPartitionStatus(
    string Topic,
    int Partition,
    bool Archived,
    ulong ColdFirstOffset,
    ulong ArchivedOffset,
    ulong EarliestOffset,
    ulong EndOffset,
    ulong Lag,
    long Headroom,
    IReadOnlyList<(ulong FromOffset, ulong ToOffset)> Gaps);
