namespace Liiklus.Actors.Hosting;

/// <param name="Method">how the node finds its cluster</param>
/// <param name="RequiredContactPoints">
/// contact points a node must see before a new cluster may form (never fewer than a majority of the replicas, so two
/// disjoint groups cannot each form one)
/// </param>
/// <param name="ConfigEndpoints">host:managementPort of every node, for <see cref="ClusterBootstrapMethod.Config"/></param>
/// <param name="KubernetesLabelSelector">the pods of this cluster, for <see cref="ClusterBootstrapMethod.Kubernetes"/></param>
/// <param name="ManagementHostname">the address peers reach this node's management endpoint at</param>
/// <param name="ManagementPort">the management endpoint's port, which contact points are probed on</param>
public sealed record ClusterBootstrapSettings(
    ClusterBootstrapMethod Method,
    int RequiredContactPoints,
    IReadOnlyList<string> ConfigEndpoints,
    string KubernetesLabelSelector,
    string ManagementHostname,
    int ManagementPort)
{
    /// <summary>The management port Akka.Management uses by default.</summary>
    public const int DefaultManagementPort = 8558;

    /// <summary>The port name Kubernetes pods give their management port, which discovery looks up.</summary>
    public const string ManagementPortName = "management";

    /// <summary>The base address of this node's contact point, as its peers probe it.</summary>
    public Uri SelfContactPoint => new UriBuilder("http", ManagementHostname, ManagementPort, "/").Uri;

    public static readonly ClusterBootstrapSettings SeedNodes =
        new(ClusterBootstrapMethod.SeedNodes, 2, [], "app=liiklus", "127.0.0.1", DefaultManagementPort);
}
