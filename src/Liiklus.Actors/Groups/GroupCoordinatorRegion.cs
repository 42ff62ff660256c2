namespace Liiklus.Actors.Groups;

/// <summary>Key for the group coordinators' shard region in the actor registry.</summary>
public sealed class GroupCoordinatorRegion;
