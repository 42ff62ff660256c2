namespace Liiklus.Storage.Cold.Archiving;

/// <param name="NextOffset">the offset the reader reads next: one past every offset the batch accounts for</param>
public sealed record ArchiveBatch(IReadOnlyList<ColdRecord> Records, long NextOffset, long Bytes);
