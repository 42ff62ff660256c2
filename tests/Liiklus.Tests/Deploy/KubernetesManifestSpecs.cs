using Liiklus.Actors.Hosting;
using Liiklus.Api.Configuration;
using Liiklus.Tests.Support;
using Xunit;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Liiklus.Tests.Deploy;

/// <summary>
/// deploy/kubernetes (no API server or schema checker here to validate against): each resource the README promises,
/// with the fields that make a rolling upgrade safe, and settings the gateway accepts.
/// </summary>
public sealed class KubernetesManifestSpecs
{
    private static readonly Lazy<Task<IReadOnlyList<Manifest>>> Rendered = new(RenderAsync);

    [Fact]
    public async Task Deployment_runs_three_replicas_probed_on_health_and_stopped_after_the_drain()
    {
        var deployment = (await Resources()).Single(r => r.Kind == "Deployment");
        var pod = deployment.At("spec", "template", "spec");
        var container = Assert.Single(pod.List("containers"));

        Assert.Equal("3", deployment.Scalar("spec", "replicas"));
        Assert.Equal("/health/ready", container.Scalar("readinessProbe", "httpGet", "path"));
        Assert.Equal("/health", container.Scalar("livenessProbe", "httpGet", "path"));
        Assert.Equal("http", container.Scalar("readinessProbe", "httpGet", "port"));
        var preStop = container.At("lifecycle", "preStop", "exec").List("command").Select(c => c.Value).ToList();
        Assert.Equal("sleep", preStop[0]);
        // SIGTERM comes after the preStop hook; the node then drains and has its host's 20 s to stop.
        var drain = (await SecretHocon()).GetTimeSpan("liiklus.shutdown.drain-delay");
        var grace = int.Parse(pod.Scalar("terminationGracePeriodSeconds"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(
            grace > int.Parse(preStop[1]!, System.Globalization.CultureInfo.InvariantCulture) + drain.TotalSeconds + 20,
            $"terminationGracePeriodSeconds {grace} leaves no room for preStop {preStop[1]} s + drain {drain} + 20 s to stop");
        Assert.Equal("liiklus", pod.Scalar("serviceAccountName"));
    }

    [Fact]
    public async Task Pods_run_as_a_non_root_user_on_a_read_only_root_file_system()
    {
        var pod = (await Resources()).Single(r => r.Kind == "Deployment").At("spec", "template", "spec");
        var container = Assert.Single(pod.List("containers"));

        Assert.Equal("true", pod.Scalar("securityContext", "runAsNonRoot"));
        Assert.NotEqual("0", pod.Scalar("securityContext", "runAsUser"));
        Assert.Equal("true", container.Scalar("securityContext", "readOnlyRootFilesystem"));
        Assert.Equal("false", container.Scalar("securityContext", "allowPrivilegeEscalation"));
        Assert.Contains(pod.List("volumes"), v => v.Scalar("name") == "tmp" && v.Has("emptyDir"));
    }

    [Fact]
    public async Task Container_names_the_ports_the_services_and_cluster_bootstrap_use_and_requests_resources()
    {
        var resources = await Resources();
        var container = Assert.Single(resources.Single(r => r.Kind == "Deployment").At("spec", "template", "spec").List("containers"));
        var ports = container.List("ports").ToDictionary(p => p.Scalar("name"), p => p.Scalar("containerPort"));

        Assert.Equal("6565", ports["grpc"]);
        Assert.Equal("8080", ports["http"]);
        Assert.Equal(ClusterBootstrapSettings.DefaultManagementPort.ToString(System.Globalization.CultureInfo.InvariantCulture), ports[ClusterBootstrapSettings.ManagementPortName]);
        var services = resources.Where(r => r.Kind == "Service").ToList();
        Assert.Contains(services, s => s.List("spec", "ports").Any(p => p.Scalar("port") == "6565" && p.Scalar("targetPort") == "grpc"));
        Assert.Contains(services, s => s.List("spec", "ports").Any(p => p.Scalar("port") == "8080" && p.Scalar("targetPort") == "http"));
        Assert.All(services, s => Assert.Equal("liiklus", s.Scalar("spec", "selector", "app")));
        Assert.NotEmpty(container.Scalar("resources", "requests", "cpu"));
        Assert.NotEmpty(container.Scalar("resources", "requests", "memory"));
        Assert.NotEmpty(container.Scalar("resources", "limits", "memory"));
        var env = container.List("env").ToDictionary(e => e.Scalar("name"), e => e.Scalar("valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("status.podIP", env["akka_remote_hostname"]);
        Assert.Equal("status.podIP", env["akka_management_hostname"]);
    }

    [Fact]
    public async Task Disruptions_take_at_most_one_pod_and_prometheus_scrapes_the_operations_port()
    {
        var resources = await Resources();
        var budget = resources.Single(r => r.Kind == "PodDisruptionBudget");
        var template = resources.Single(r => r.Kind == "Deployment").At("spec", "template", "metadata");

        Assert.Equal("1", budget.Scalar("spec", "maxUnavailable"));
        Assert.Equal("liiklus", budget.Scalar("spec", "selector", "matchLabels", "app"));
        Assert.Equal("true", template.Scalar("annotations", "prometheus.io/scrape"));
        Assert.Equal("8080", template.Scalar("annotations", "prometheus.io/port"));
        Assert.Equal("/prometheus", template.Scalar("annotations", "prometheus.io/path"));
    }

    [Fact]
    public async Task The_pods_service_account_may_list_pods_and_do_nothing_else()
    {
        var resources = await Resources();
        var role = resources.Single(r => r.Kind == "Role");
        var binding = resources.Single(r => r.Kind == "RoleBinding");
        var rule = Assert.Single(role.List("rules"));

        Assert.Contains(resources, r => r.Kind == "ServiceAccount" && r.Scalar("metadata", "name") == "liiklus");
        Assert.Equal(["pods"], rule.List("resources").Select(r => r.Value));
        Assert.Equal(["get", "list", "watch"], rule.List("verbs").Select(v => v.Value));
        Assert.Equal(role.Scalar("metadata", "name"), binding.Scalar("roleRef", "name"));
        Assert.Equal("liiklus", Assert.Single(binding.List("subjects")).Scalar("name"));
    }

    [Fact]
    public async Task Settings_come_from_the_config_map_and_the_secret_and_the_gateway_accepts_them()
    {
        var resources = await Resources();
        var configMap = resources.Single(r => r.Kind == "ConfigMap");
        var container = Assert.Single(resources.Single(r => r.Kind == "Deployment").At("spec", "template", "spec").List("containers"));
        var variables = configMap.At("data").Keys.ToDictionary(key => key, key => configMap.Scalar("data", key));

        Assert.Equal(configMap.Scalar("metadata", "name"), Assert.Single(container.List("envFrom")).Scalar("configMapRef", "name"));
        Assert.Equal("kubernetes", variables["akka_cluster_bootstrap"]);
        Assert.Equal("app=liiklus", variables["akka_discovery_kubernetes_labelSelector"]);
        Assert.Contains("kafka_bootstrapServers", variables.Keys);
        Assert.Contains("redis_host", variables.Keys);
        Assert.Contains(container.List("volumeMounts"), m => variables["liiklus_config_file"].StartsWith(m.Scalar("mountPath") + "/", StringComparison.Ordinal));
        // Every variable is one the gateway reads, and the values with the secret's file and the pod's IP pass its checks.
        Assert.All(variables.Keys.Where(k => k != GatewayHocon.ConfigFileVariable), name => Assert.Contains(name, GatewayHocon.EnvironmentVariables.Keys));
        variables["akka_remote_hostname"] = "10.0.0.7";
        variables["akka_management_hostname"] = "10.0.0.7";
        // The file liiklus_config_file names is the Secret's, mounted: given here as overrides, which it is beneath.
        var overrides = await SecretHocon();
        var settings = GatewaySettings.From(GatewayHocon.Load(overrides, name => name == GatewayHocon.ConfigFileVariable ? null : variables.GetValueOrDefault(name)));
        Assert.Equal(ClusterBootstrapMethod.Kubernetes, settings.Cluster.Bootstrap.Method);
        Assert.Equal("change-me", settings.Redis.Password);
    }

    private static Task<IReadOnlyList<Manifest>> Resources() => Rendered.Value;

    private static async Task<Akka.Configuration.Config> SecretHocon()
    {
        var secret = (await Resources()).Single(r => r.Kind == "Secret");
        return Akka.Configuration.ConfigurationFactory.ParseString(secret.Scalar("stringData", "liiklus.conf"));
    }

    /// <summary>
    /// The resources the kustomization lists, parsed (kubectl is not a Debian package, and Debian's old
    /// kubernetes-client predates this kustomization's fields): the base has no patches for kustomize to apply.
    /// </summary>
    private static async Task<IReadOnlyList<Manifest>> RenderAsync()
    {
        var folder = RepositoryFiles.PathOf("deploy/kubernetes");
        var kustomization = Parse(await File.ReadAllTextAsync(Path.Combine(folder, "kustomization.yaml"))).Single();
        var files = kustomization.List("resources").Select(r => r.Value!).ToList();
        var manifests = new List<Manifest>();
        foreach (var file in files)
        {
            manifests.AddRange(Parse(await File.ReadAllTextAsync(Path.Combine(folder, file))));
        }

        return manifests;
    }

    [Fact]
    public async Task Kustomization_lists_every_manifest_of_the_folder_and_names_the_image()
    {
        var folder = RepositoryFiles.PathOf("deploy/kubernetes");
        var kustomization = Parse(await File.ReadAllTextAsync(Path.Combine(folder, "kustomization.yaml"))).Single();
        var container = Assert.Single((await Resources()).Single(r => r.Kind == "Deployment").At("spec", "template", "spec").List("containers"));

        Assert.Equal(
            Directory.GetFiles(folder, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order(),
            kustomization.List("resources").Select(r => r.Value).Order());
        Assert.Contains(kustomization.List("images"), image => image.Scalar("name") == container.Scalar("image"));
    }

    private static IEnumerable<Manifest> Parse(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var deserializer = new DeserializerBuilder().Build();
        parser.Consume<YamlDotNet.Core.Events.StreamStart>();
        var manifests = new List<Manifest>();
        while (parser.Accept<YamlDotNet.Core.Events.DocumentStart>(out _))
        {
            manifests.Add(new Manifest(deserializer.Deserialize<object>(parser)));
        }

        return manifests;
    }
}
