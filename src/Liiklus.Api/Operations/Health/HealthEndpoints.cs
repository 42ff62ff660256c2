using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Liiklus.Api.Operations.Health;

/// <summary>/health (the process serves) and /health/ready (it can do its work: storages reachable, node Up, not draining).</summary>
internal static class HealthEndpoints
{
    public static void MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // As Liiklus: a plain 200 "OK" for as long as the process answers at all.
        endpoints.MapGet("/health", () => Results.Text("OK")).WithMetadata(OperationsPortOnly.Instance);
        // 200 when every readiness check is healthy, 503 otherwise.
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(HealthRegistration.ReadinessTag),
            ResponseWriter = ReadinessResponse.WriteAsync,
        }).WithMetadata(OperationsPortOnly.Instance);
    }
}
