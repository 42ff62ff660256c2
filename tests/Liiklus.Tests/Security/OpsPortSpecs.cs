using System.Net;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Security;

/// <summary>Metrics and health answer on the operations port only: the gRPC port, behind JWT, serves the gRPC service alone.</summary>
public sealed class OpsPortSpecs
{
    [Fact]
    public async Task Grpc_port_does_not_serve_metrics_or_health_to_a_caller_without_a_token()
    {
        await using var gateway = await TestGateway.StartAsync("""
            liiklus.grpc.auth.alg = HMAC512
            liiklus.grpc.auth.secret = "a-secret-of-thirty-two-bytes-or-more-0123"
            liiklus.grpc.auth.require-scopes = true
            """);
        using var http2 = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var http1 = new HttpClient();

        foreach (var path in new[] { "/prometheus", "/metrics", "/health", "/health/ready" })
        {
            using var onGrpcPort = await http2.GetAsync(gateway.Address + path);
            var body = await onGrpcPort.Content.ReadAsStringAsync();
            using var onOpsPort = await http1.GetAsync(gateway.OperationsAddress + path);

            Assert.True(onGrpcPort.StatusCode == HttpStatusCode.NotFound, $"{path} on the gRPC port answered {(int)onGrpcPort.StatusCode}: {body}");
            Assert.DoesNotContain("liiklus_", body);
            Assert.Equal(HttpStatusCode.OK, onOpsPort.StatusCode);
        }
    }
}
