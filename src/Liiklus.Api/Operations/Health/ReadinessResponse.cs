using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Liiklus.Api.Operations.Health;

/// <summary>
/// The body of /health/ready, from the readiness checks' report: ready when every storage answered and the node is an
/// Up member that is not draining; each storage by role and kind, with why it cannot be reached.
/// </summary>
internal static class ReadinessResponse
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var storages = report.Entries.Values
            .Where(entry => entry.Data.ContainsKey(StorageHealthCheck.StorageKey))
            .Select(entry => new
            {
                role = entry.Data[StorageHealthCheck.RoleKey],
                storage = entry.Data[StorageHealthCheck.StorageKey],
                reachable = entry.Status == HealthStatus.Healthy,
                error = entry.Status == HealthStatus.Healthy ? null : entry.Description,
            })
            .ToList();
        var node = report.Entries.TryGetValue(HealthRegistration.ClusterCheck, out var cluster)
            && cluster.Data.TryGetValue(ClusterMembershipHealthCheck.StatusKey, out var status)
                ? status
                : "Starting";
        var draining = report.Entries.TryGetValue(HealthRegistration.DrainingCheck, out var drain) && drain.Status != HealthStatus.Healthy;
        var body = new
        {
            status = report.Status == HealthStatus.Healthy ? "ready" : "unavailable",
            node = new { status = node, draining },
            storages,
            unreachable = storages.Where(s => !s.reachable).Select(s => s.storage),
        };
        return context.Response.WriteAsJsonAsync(body, Json, context.RequestAborted);
    }
}
