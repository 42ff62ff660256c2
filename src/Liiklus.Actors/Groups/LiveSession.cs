namespace Liiklus.Actors.Groups;

/// <summary>A subscription a group's coordinator holds now, with the partitions it owns.</summary>
public sealed record LiveSession(string SessionId, uint GroupVersion, IReadOnlyList<int> Partitions);
