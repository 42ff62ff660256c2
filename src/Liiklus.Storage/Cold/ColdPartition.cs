namespace Liiklus.Storage.Cold;

/// <summary>A partition the cold store holds something of.</summary>
public sealed record ColdPartition(string Topic, int Partition);
