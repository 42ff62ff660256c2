using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Liiklus.Api.Operations.Health;

/// <summary>Healthy while this node is an Up member of its cluster: only then can it coordinate groups.</summary>
public sealed class ClusterMembershipHealthCheck(ActorSystem system) : IHealthCheck
{
    /// <summary>Health data holding the member status (Up, Joining, Leaving, ...).</summary>
    public const string StatusKey = "status";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = Cluster.Get(system).SelfMember.Status;
        var data = new Dictionary<string, object> { [StatusKey] = status.ToString() };
        return Task.FromResult(status == MemberStatus.Up
            ? HealthCheckResult.Healthy(data: data)
            : HealthCheckResult.Unhealthy($"cluster member status is {status}", data: data));
    }
}
