using Xunit;

namespace Liiklus.Tests.Support;

/// <summary>
/// Cluster specs run alone, after the parallel ones: their failure detector (2.5 s heartbeat pause) must not
/// mistake a 2-core machine busy with the rest of the suite for a dead node.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}
