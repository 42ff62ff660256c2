using Akka.Actor;
using Akka.Cluster;

namespace Liiklus.Api.Operations.Metrics;

/// <summary>The cluster's members as this node sees them, by status, and those it cannot reach.</summary>
internal sealed class ClusterMembersGauge(GatewayMetrics metrics, IServiceProvider services) : IHostedService
{
    private static readonly MemberStatus[] Statuses = Enum.GetValues<MemberStatus>();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.Meter.CreateObservableGauge(
            "liiklus.cluster.members",
            Members,
            description: "Members of the cluster as this node sees them, by status (up, joining, leaving, exiting, down, ...).");
        metrics.Meter.CreateObservableGauge(
            "liiklus.cluster.unreachable.members",
            () => State()?.Unreachable.Count ?? 0,
            description: "Members this node's failure detector cannot reach.");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private IEnumerable<System.Diagnostics.Metrics.Measurement<int>> Members()
    {
        if (State() is not { } state)
        {
            return [];
        }

        return Statuses.Select(status => new System.Diagnostics.Metrics.Measurement<int>(
            state.Members.Count(m => m.Status == status),
            new KeyValuePair<string, object?>("status", status.ToString().ToLowerInvariant())));
    }

    // The actor system exists once the host has started it; a collection before then has nothing to say.
    private ClusterEvent.CurrentClusterState? State()
    {
        try
        {
            return services.GetService<ActorSystem>() is { } system ? Cluster.Get(system).State : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
