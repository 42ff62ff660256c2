using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Liiklus.Tests.Support;

/// <summary>
/// The one call of the Kubernetes API that Akka.Discovery.KubernetesApi makes, over HTTPS on loopback as an API server
/// answers it: the pods of a namespace matching a label selector, with their IP, phase and named container ports. A
/// test adds a pod as it starts a gateway and marks it terminating as it stops it, as the kubelet would. Requests
/// without the service account's token, for another namespace or another selector get the API server's 403.
/// </summary>
public sealed class FakeKubernetesApi : IAsyncDisposable
{
    public const string Namespace = "liiklus-test";
    public const string LabelSelector = "app=liiklus";

    private readonly WebApplication _app;
    private readonly string _folder = Directory.CreateTempSubdirectory("fake-kubernetes-").FullName;
    private readonly string _token = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, Pod> _pods = new();
    private int _lookups;

    private FakeKubernetesApi(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>How many pod listings were answered, to show discovery went through here.</summary>
    public int Lookups => Volatile.Read(ref _lookups);

    public static async Task<FakeKubernetesApi> StartAsync()
    {
        var authority = TestCertificateAuthority.Create("fake-kubernetes-ca");
        var port = GatewayProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var server = authority.IssueServer();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(server)));
        var app = builder.Build();
        var api = new FakeKubernetesApi(app, port);
        app.MapGet("/api/v1/namespaces/{ns}/pods", (string ns, HttpContext context) => api.ListPods(ns, context));
        await app.StartAsync();
        await api.WriteFilesAsync(authority);
        return api;
    }

    /// <summary>
    /// What a gateway in a pod of this cluster has: the API server's address in KUBERNETES_SERVICE_HOST/PORT, the
    /// service account's token and namespace files (here named by the operator's HOCON file, as they are elsewhere
    /// than in /var/run/secrets), and a kubeconfig trusting the API server's CA.
    /// </summary>
    public Dictionary<string, string> NodeEnvironment => new()
    {
        ["KUBERNETES_SERVICE_HOST"] = "127.0.0.1",
        ["KUBERNETES_SERVICE_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["KUBECONFIG"] = Path.Combine(_folder, "kubeconfig"),
        ["liiklus_config_file"] = Path.Combine(_folder, "discovery.conf"),
        ["akka_cluster_bootstrap"] = "kubernetes",
        ["akka_discovery_kubernetes_labelSelector"] = LabelSelector,
    };

    /// <summary>A running pod whose container names its management port "management".</summary>
    public void AddPod(string name, int managementPort) => _pods[name] = new Pod(name, managementPort, Terminating: false);

    /// <summary>The pod is being deleted (its deletionTimestamp set): discovery must skip it.</summary>
    public void MarkTerminating(string name) => _pods.AddOrUpdate(name, _ => throw new KeyNotFoundException(name), (_, pod) => pod with { Terminating = true });

    public void RemovePod(string name) => _pods.TryRemove(name, out _);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private IResult ListPods(string ns, HttpContext context)
    {
        if (context.Request.Headers.Authorization.ToString() != $"Bearer {_token}"
            || ns != Namespace
            || context.Request.Query["labelSelector"].ToString() != LabelSelector)
        {
            return Results.Json(new { kind = "Status", apiVersion = "v1", status = "Failure", reason = "Forbidden", code = 403 }, statusCode: 403);
        }

        Interlocked.Increment(ref _lookups);
        var items = _pods.Values.OrderBy(p => p.Name).Select(pod => new Dictionary<string, object?>
        {
            ["metadata"] = new Dictionary<string, object?>
            {
                ["name"] = pod.Name,
                ["namespace"] = Namespace,
                ["labels"] = new Dictionary<string, string> { ["app"] = "liiklus" },
                ["deletionTimestamp"] = pod.Terminating ? DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ") : null,
            },
            ["spec"] = new
            {
                containers = new[]
                {
                    new
                    {
                        name = "liiklus",
                        ports = new object[]
                        {
                            new { name = "grpc", containerPort = 6565, protocol = "TCP" },
                            new { name = "management", containerPort = pod.ManagementPort, protocol = "TCP" },
                        },
                    },
                },
            },
            ["status"] = new { phase = "Running", podIP = "127.0.0.1" },
        });
        return Results.Json(new { kind = "PodList", apiVersion = "v1", metadata = new { resourceVersion = "1" }, items }, JsonOptions);
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private async Task WriteFilesAsync(TestCertificateAuthority authority)
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "token"), _token);
        await File.WriteAllTextAsync(Path.Combine(_folder, "namespace"), Namespace);
        await File.WriteAllTextAsync(Path.Combine(_folder, "discovery.conf"), $$"""
            akka.discovery.kubernetes-api {
              api-token-path = "{{Path.Combine(_folder, "token")}}"
              pod-namespace-path = "{{Path.Combine(_folder, "namespace")}}"
            }
            """);
        var ca = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(authority.Certificate.ExportCertificatePem()));
        // A different token than the service account's: the discovery must send the one from its token file.
        await File.WriteAllTextAsync(Path.Combine(_folder, "kubeconfig"), $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
                server: https://127.0.0.1:{Port}
                certificate-authority-data: {ca}
            contexts:
            - name: fake
              context:
                cluster: fake
                user: fake
            current-context: fake
            users:
            - name: fake
              user:
                token: not-the-service-account-token
            """);
    }

    private sealed record Pod(string Name, int ManagementPort, bool Terminating);
}
