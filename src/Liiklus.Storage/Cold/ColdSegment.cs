namespace Liiklus.Storage.Cold;

/// <summary>
/// Archived records of [<see cref="ColdRange.BaseOffset"/>, <see cref="ColdRange.NextOffset"/>): every record
/// Kafka held in that range (offsets without a record, transaction markers or compacted away, are covered too).
/// </summary>
/// <param name="Key">the segment's stable identity in its store (the object key or row key), the same for every
/// reader on every node: the first half of a <see cref="ColdBlockId"/></param>
/// <param name="Bytes">the segment's stored size, blocks and footer</param>
public sealed record ColdSegment(string Topic, int Partition, long BaseOffset, long NextOffset, string Key, long Bytes)
    : ColdRange(Topic, Partition, BaseOffset, NextOffset);
