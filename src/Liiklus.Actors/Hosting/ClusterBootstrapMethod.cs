namespace Liiklus.Actors.Hosting;

/// <summary>How a node finds the cluster it joins.</summary>
public enum ClusterBootstrapMethod
{
    /// <summary>The configured seed nodes (none: a cluster of this node alone).</summary>
    SeedNodes,

    /// <summary>Akka.Management's Cluster Bootstrap over a static list of management endpoints.</summary>
    Config,

    /// <summary>Akka.Management's Cluster Bootstrap over the pods the Kubernetes API lists.</summary>
    Kubernetes,
}
