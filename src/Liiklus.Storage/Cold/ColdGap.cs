namespace Liiklus.Storage.Cold;

/// <summary>
/// Offsets [<see cref="ColdRange.BaseOffset"/>, <see cref="ColdRange.NextOffset"/>) that were deleted from Kafka
/// before they were archived: recorded so that the loss is never silent.
/// </summary>
public sealed record ColdGap(string Topic, int Partition, long BaseOffset, long NextOffset)
    : ColdRange(Topic, Partition, BaseOffset, NextOffset);
