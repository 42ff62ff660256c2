using Akka.Actor;
using Akka.Cluster;

namespace Liiklus.Api.Hosting;

/// <summary>
/// Stops the node, with exit code 2, as soon as its cluster has another member while one of its storages lives in
/// this node alone: records published on one node would never reach a Receive on the other, silently.
/// </summary>
public sealed class SecondMemberGuard(
    ActorSystem system,
    PerNodeStorages perNode,
    IHostApplicationLifetime lifetime,
    ILogger<SecondMemberGuard> logger) : IHostedService
{
    /// <summary>The process exit code of a node refused for its settings (as Program gives refused settings).</summary>
    public const int RefusedExitCode = 2;

    private int _refused;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!perNode.Any)
        {
            return Task.CompletedTask;
        }

        var cluster = Cluster.Get(system);
        var self = cluster.SelfAddress;
        // A member event for every member already there, then one for each that joins.
        var watcher = system.ActorOf(
            ClusterMemberWatcher.Props(member =>
            {
                if (!member.Address.Equals(self) && member.Status is MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Up)
                {
                    Refuse(member.Address);
                }
            }),
            "second-member-guard");
        cluster.Subscribe(watcher, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Refuse(Address other)
    {
        if (Interlocked.Exchange(ref _refused, 1) == 1)
        {
            return;
        }

        logger.LogCritical(
            "Liiklus cannot run in a cluster of more than one node with per-node storages ({Storages}): {Other} joined, and records " +
            "published on one node would never reach the others. Give every node shared storages (storage_records_type=KAFKA, " +
            "storage_positions_type=REDIS, KAFKA, DYNAMODB or POSTGRES) or run it alone; stopping",
            perNode,
            other);
        Environment.ExitCode = RefusedExitCode;
        lifetime.StopApplication();
    }
}
