using System.Net;
using System.Text.Json;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Operations;

/// <summary>/health/ready tells the truth about the storages: the REDIS positions storage on a real redis-server.</summary>
public sealed class ReadinessSpecs(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Ready_answers_503_naming_redis_while_it_is_stopped_and_200_once_it_is_back()
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
        // The process itself still serves, and counts what failed.
        Assert.Equal(HttpStatusCode.OK, (await operations.GetAsync("/health")).Status);
        var metrics = await operations.ScrapeAsync();
        Assert.True(metrics.Value("liiklus_storage_errors_total", ("storage", "redis"), ("operation", "get_positions")) > 0);

        await redis.StartAsync();
        var back = await Eventually.Until(() => operations.GetAsync("/health/ready"), r => r.Status == HttpStatusCode.OK, "200 once Redis is back");

        Assert.Equal("ready", JsonDocument.Parse(back.Body).RootElement.GetProperty("status").GetString());
    }
}
