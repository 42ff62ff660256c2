using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Liiklus.Api.Operations.Health;

/// <summary>Unhealthy from the moment the node starts to stop: the Liiklus service is mapped to it, the node's "" is not.</summary>
public sealed class DrainingHealthCheck(NodeDraining draining) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(draining.IsDraining ? HealthCheckResult.Unhealthy("the node is draining for shutdown") : HealthCheckResult.Healthy());
}
