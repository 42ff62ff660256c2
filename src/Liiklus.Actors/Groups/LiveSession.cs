namespace Liiklus.Actors.Groups;

/// <summary>A subscription a group's coordinator holds now, with the partitions it owns.</summary>
/// <param name="Node">the cluster address of the node serving its Subscribe call; null when the coordinator did not say</param>
public sealed record LiveSession(string SessionId, uint GroupVersion, IReadOnlyList<int> Partitions, string? Node);
