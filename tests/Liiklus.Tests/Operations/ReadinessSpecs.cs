using System.Net;
using System.Text.Json;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Operations;

/// <summary>/health/ready tells the truth about the storages: the REDIS positions storage on a real redis-server.</summary>
public sealed class ReadinessSpecs(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Ready_answers_503_naming_redis_while_it_is_stopped_and_200_once_it_is_back_while_grpc_health_keeps_serving()
    {
        await using var gateway = await TestGateway.StartAsync(redis.GatewayHocon);
        using var operations = new OperationsClient(gateway.OperationsAddress);
        await Eventually.Until(() => operations.GetAsync("/health/ready"), r => r.Status == HttpStatusCode.OK, "ready at start");

        await redis.KillAsync();
        var (_, body) = await Eventually.Until(
            () => operations.GetAsync("/health/ready"),
            r => r.Status == HttpStatusCode.ServiceUnavailable,
            "503 while Redis is stopped");
        var report = JsonDocument.Parse(body).RootElement;
        Assert.Equal("unavailable", report.GetProperty("status").GetString());
        Assert.Equal(["redis"], report.GetProperty("unreachable").EnumerateArray().Select(e => e.GetString()));
        var storages = report.GetProperty("storages").EnumerateArray().ToDictionary(s => s.GetProperty("storage").GetString()!);
        Assert.False(storages["redis"].GetProperty("reachable").GetBoolean());
        Assert.True(storages["memory"].GetProperty("reachable").GetBoolean());
        Assert.Equal("Up", report.GetProperty("node").GetProperty("status").GetString());
        Assert.False(report.GetProperty("node").GetProperty("draining").GetBoolean());
        // The process itself still serves, and counts what failed; load balancers keep the node (as in Liiklus).
        Assert.Equal(HttpStatusCode.OK, (await operations.GetAsync("/health")).Status);
        using var channel = GrpcChannel.ForAddress(gateway.Address);
        var health = new Health.HealthClient(channel);
        foreach (var service in new[] { "", "com.github.bsideup.liiklus.LiiklusService" })
        {
            var answer = await health.CheckAsync(new HealthCheckRequest { Service = service }, deadline: DateTime.UtcNow.AddSeconds(5));
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, answer.Status);
        }

        var metrics = await operations.ScrapeAsync();
        Assert.True(metrics.Value("liiklus_storage_errors_total", ("storage", "redis"), ("operation", "get_positions")) > 0);

        await redis.StartAsync();
        var back = await Eventually.Until(() => operations.GetAsync("/health/ready"), r => r.Status == HttpStatusCode.OK, "200 once Redis is back");

        Assert.Equal("ready", JsonDocument.Parse(back.Body).RootElement.GetProperty("status").GetString());
    }
}
