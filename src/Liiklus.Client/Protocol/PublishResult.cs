namespace Liiklus.Client;

/// <summary>Where a published record was stored.</summary>
/// <param name="Topic">the topic</param>
/// <param name="Partition">the partition the key chose</param>
/// <param name="Offset">the record's offset in that partition</param>
public sealed record PublishResult(string Topic, int Partition, ulong Offset);
