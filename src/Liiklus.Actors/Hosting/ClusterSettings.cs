namespace Liiklus.Actors.Hosting;

/// <param name="SeedNodes">akka.tcp://liiklus@host:port addresses; none means a cluster of this node alone</param>
public sealed record ClusterSettings(IReadOnlyList<string> SeedNodes)
{
    /// <summary>Seed nodes (the default) or Cluster Bootstrap through a discovery method.</summary>
    public ClusterBootstrapSettings Bootstrap { get; init; } = ClusterBootstrapSettings.SeedNodes;
}
