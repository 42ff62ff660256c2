using System.Text.Json;

namespace Liiklus.Api.Operations.Health;

/// <summary>/health (the process serves) and /health/ready (it can do its work: storages reachable, node Up, not draining).</summary>
internal static class HealthEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // As Liiklus: a plain 200 "OK" for as long as the process answers at all.
        endpoints.MapGet("/health", () => Results.Text("OK")).WithMetadata(OperationsPortOnly.Instance);
        endpoints.MapGet("/health/ready", async (ReadinessProbe probe, CancellationToken cancellationToken) =>
        {
            var report = await probe.CheckAsync(cancellationToken);
            var body = new
            {
                status = report.Ready ? "ready" : "unavailable",
                node = new { status = report.Node, draining = report.Draining },
                storages = report.Storages.Select(s => new { role = s.Role, storage = s.Storage, reachable = s.Reachable, error = s.Error }),
                unreachable = report.Storages.Where(s => !s.Reachable).Select(s => s.Storage),
            };
            return Results.Json(body, Json, statusCode: report.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).WithMetadata(OperationsPortOnly.Instance);
    }
}
