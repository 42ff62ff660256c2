namespace Liiklus.Actors.Telemetry;

/// <summary>A group whose coordinator runs on this node, with the versions that joined it, lowest first.</summary>
public sealed record CoordinatedGroup(string Topic, string GroupName, IReadOnlyList<uint> Versions);
