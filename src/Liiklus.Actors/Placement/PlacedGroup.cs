namespace Liiklus.Actors.Placement;

/// <summary>A (topic, group name) whose coordinator runs on a node.</summary>
public sealed record PlacedGroup(string Topic, string GroupName);
