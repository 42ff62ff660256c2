namespace Liiklus.Actors.Groups;

/// <summary>A subscription a group's coordinator holds now, with the partitions it owns.</summary>
/// <param name="Node">the cluster address of the node serving its Subscribe call; null when the coordinator did not say</param>
/// <param name="ClientAddress">the Subscribe call's peer as that node saw it (gRPC's form, <c>ipv4:10.1.2.3:51234</c>); null when unknown</param>
public sealed record LiveSession(string SessionId, uint GroupVersion, IReadOnlyList<int> Partitions, string? Node, string? ClientAddress);
