using Liiklus.Actors.Hosting;

namespace Liiklus.Api.Configuration;

/// <summary>Reads <c>liiklus.cluster</c>: seed nodes, or Cluster Bootstrap through discovery.</summary>
public static class ClusterSettingsReader
{
    public static readonly string[] Methods = ["seed-nodes", "config", "kubernetes"];

    public static ClusterSettings From(SettingsReader read, string remoteHostName)
    {
        var seedNodes = read.AkkaAddresses("liiklus.cluster.seed-nodes", Hosting.GatewayHost.ActorSystemName);
        var method = read.OneOf("liiklus.cluster.bootstrap.method", Methods) switch
        {
            "config" => ClusterBootstrapMethod.Config,
            "kubernetes" => ClusterBootstrapMethod.Kubernetes,
            _ => ClusterBootstrapMethod.SeedNodes,
        };
        var hostName = read.String("liiklus.cluster.management.hostname").Trim() is { Length: > 0 }
            ? read.HostName("liiklus.cluster.management.hostname")
            : remoteHostName;
        var bootstrap = new ClusterBootstrapSettings(
            method,
            read.Int("liiklus.cluster.bootstrap.required-contact-points", 1, 1000),
            Endpoints(read, method == ClusterBootstrapMethod.Config),
            read.String("liiklus.cluster.bootstrap.kubernetes-label-selector").Trim(),
            hostName,
            read.Int("liiklus.cluster.management.port", 1, 65535));
        if (method != ClusterBootstrapMethod.SeedNodes && seedNodes.Count > 0)
        {
            read.Reject("liiklus.cluster.seed-nodes", string.Join(",", seedNodes), $"empty with liiklus.cluster.bootstrap.method {Methods[(int)method]}: the cluster is found through discovery");
        }

        if (method == ClusterBootstrapMethod.Kubernetes && bootstrap.KubernetesLabelSelector.Length == 0)
        {
            read.Reject("liiklus.cluster.bootstrap.kubernetes-label-selector", "", "a label selector such as app=liiklus (required with method kubernetes)");
        }

        return new ClusterSettings(seedNodes) { Bootstrap = bootstrap };
    }

    private static IReadOnlyList<string> Endpoints(SettingsReader read, bool required)
    {
        const string path = "liiklus.cluster.bootstrap.config-endpoints";
        var endpoints = read.String(path).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var endpoint in endpoints)
        {
            var colon = endpoint.LastIndexOf(':');
            if (colon <= 0
                || Uri.CheckHostName(endpoint[..colon].Trim('[', ']')) == UriHostNameType.Unknown
                || !int.TryParse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var port)
                || port is not (> 0 and <= 65535))
            {
                read.Reject(path, endpoint, "comma-separated host:managementPort, such as 10.0.0.1:8558");
            }
        }

        if (required && endpoints.Length == 0)
        {
            read.Reject(path, "", "host:managementPort of every node (required with method config)");
        }

        return endpoints;
    }
}
