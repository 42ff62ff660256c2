using Grpc.Health.V1;
using Grpc.Net.Client;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Api;

public sealed class HealthSpecs(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Gateway_reports_serving_once_it_has_joined_its_cluster()
    {
        using var channel = GrpcChannel.ForAddress(fixture.Gateway.Address);
        var health = new Health.HealthClient(channel);

        var status = await Eventually.Until(
            async () => (await health.CheckAsync(new HealthCheckRequest())).Status,
            s => s == HealthCheckResponse.Types.ServingStatus.Serving,
            "health SERVING");

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, status);
    }
}
