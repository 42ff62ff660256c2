using Liiklus.Actors.Hosting;
using Liiklus.Api.Configuration;
using Xunit;

namespace Liiklus.Tests.Api;

public sealed class ClusterBootstrapSettingsSpecs
{
    [Fact]
    public void Seed_nodes_are_the_default_bootstrap_and_start_no_management_endpoint_settings_of_their_own()
    {
        var settings = GatewaySettings.From(GatewayHocon.Load(null, _ => null));

        Assert.Equal(ClusterBootstrapMethod.SeedNodes, settings.Cluster.Bootstrap.Method);
        Assert.Equal(8558, settings.Cluster.Bootstrap.ManagementPort);
        Assert.Equal(2, settings.Cluster.Bootstrap.RequiredContactPoints);
    }

    [Fact]
    public void Config_bootstrap_reads_its_endpoints_and_the_management_endpoint_defaults_to_the_remote_host_name()
    {
        var environment = new Dictionary<string, string>
        {
            ["akka_cluster_bootstrap"] = "config",
            ["akka_discovery_config_endpoints"] = "10.0.0.1:8558, node-2.internal:8559",
            ["akka_remote_hostname"] = "10.0.0.3",
            ["akka_management_port"] = "9558",
            ["akka_cluster_bootstrap_requiredContactPoints"] = "3",
        };

        var bootstrap = GatewaySettings.From(GatewayHocon.Load(null, name => environment.GetValueOrDefault(name))).Cluster.Bootstrap;

        Assert.Equal(ClusterBootstrapMethod.Config, bootstrap.Method);
        Assert.Equal(["10.0.0.1:8558", "node-2.internal:8559"], bootstrap.ConfigEndpoints);
        Assert.Equal("10.0.0.3", bootstrap.ManagementHostname);
        Assert.Equal(9558, bootstrap.ManagementPort);
        Assert.Equal(3, bootstrap.RequiredContactPoints);
    }

    [Fact]
    public void Kubernetes_bootstrap_takes_the_label_selector_and_management_host_name_given()
    {
        var environment = new Dictionary<string, string>
        {
            ["akka_cluster_bootstrap"] = "kubernetes",
            ["akka_discovery_kubernetes_labelSelector"] = "app.kubernetes.io/name=liiklus",
            ["akka_management_hostname"] = "10.1.2.3",
        };

        var bootstrap = GatewaySettings.From(GatewayHocon.Load(null, name => environment.GetValueOrDefault(name))).Cluster.Bootstrap;

        Assert.Equal(ClusterBootstrapMethod.Kubernetes, bootstrap.Method);
        Assert.Equal("app.kubernetes.io/name=liiklus", bootstrap.KubernetesLabelSelector);
        Assert.Equal("10.1.2.3", bootstrap.ManagementHostname);
    }

    [Theory]
    [InlineData("akka_cluster_bootstrap=dns", "akka_cluster_bootstrap (liiklus.cluster.bootstrap.method) = 'dns' is not allowed; allowed: one of seed-nodes, config, kubernetes")]
    [InlineData("akka_cluster_bootstrap=config", "akka_discovery_config_endpoints (liiklus.cluster.bootstrap.config-endpoints) = '' is not allowed; allowed: host:managementPort of every node")]
    [InlineData("akka_cluster_bootstrap=config;akka_discovery_config_endpoints=10.0.0.1", "akka_discovery_config_endpoints (liiklus.cluster.bootstrap.config-endpoints) = '10.0.0.1' is not allowed")]
    [InlineData("akka_cluster_bootstrap=config;akka_discovery_config_endpoints=10.0.0.1:0", "akka_discovery_config_endpoints (liiklus.cluster.bootstrap.config-endpoints) = '10.0.0.1:0' is not allowed")]
    [InlineData("akka_cluster_bootstrap=kubernetes;akka_cluster_seed_nodes=akka.tcp://liiklus@10.0.0.1:4053", "akka_cluster_seed_nodes (liiklus.cluster.seed-nodes) = 'akka.tcp://liiklus@10.0.0.1:4053' is not allowed; allowed: empty with liiklus.cluster.bootstrap.method kubernetes")]
    [InlineData("akka_management_port=70000", "akka_management_port (liiklus.cluster.management.port) = '70000' is not allowed")]
    [InlineData("akka_management_hostname=not a host", "akka_management_hostname (liiklus.cluster.management.hostname) = 'not a host' is not allowed")]
    [InlineData("akka_cluster_bootstrap_requiredContactPoints=0", "akka_cluster_bootstrap_requiredContactPoints (liiklus.cluster.bootstrap.required-contact-points) = '0' is not allowed")]
    public void Bad_bootstrap_setting_stops_start_up_naming_the_variable(string variables, string problem)
    {
        var environment = variables.Split(';').Select(v => v.Split('=', 2)).ToDictionary(v => v[0], v => v[1]);

        var refused = Assert.Throws<SettingsException>(() => GatewaySettings.From(GatewayHocon.Load(null, name => environment.GetValueOrDefault(name))));

        Assert.StartsWith(problem, Assert.Single(refused.Problems));
    }

    [Fact]
    public void Kubernetes_bootstrap_without_a_label_selector_stops_start_up()
    {
        var overrides = Akka.Configuration.ConfigurationFactory.ParseString("liiklus.cluster.bootstrap.kubernetes-label-selector = \"\"");

        var refused = Assert.Throws<SettingsException>(() => GatewaySettings.From(GatewayHocon.Load(overrides, name => name == "akka_cluster_bootstrap" ? "kubernetes" : null)));

        Assert.StartsWith(
            "akka_discovery_kubernetes_labelSelector (liiklus.cluster.bootstrap.kubernetes-label-selector) = '' is not allowed",
            Assert.Single(refused.Problems));
    }
}
