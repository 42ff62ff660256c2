namespace Liiklus.Api.Operations.Health;

/// <summary>The answer of /health/ready: ready when every storage answered and the node is an Up member that is not draining.</summary>
/// <param name="Node">this node's cluster member status (Up, Joining, Leaving, ...)</param>
public sealed record ReadinessReport(IReadOnlyList<StorageProbe> Storages, string Node, bool Draining)
{
    public bool Ready => Storages.All(s => s.Reachable) && Node == "Up" && !Draining;
}
