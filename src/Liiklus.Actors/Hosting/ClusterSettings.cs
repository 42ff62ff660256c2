namespace Liiklus.Actors.Hosting;

/// <param name="SeedNodes">akka.tcp://liiklus@host:port addresses; none means a cluster of this node alone</param>
public sealed record ClusterSettings(IReadOnlyList<string> SeedNodes);
