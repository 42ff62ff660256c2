namespace Liiklus.Actors.Cold;

/// <summary>Key for the partition archivers' shard region in the actor registry.</summary>
public sealed class ColdArchiverRegion;
