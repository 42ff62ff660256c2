using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Liiklus.Actors.Groups;
using Liiklus.Storage.Records;
using Microsoft.Extensions.DependencyInjection;

namespace Liiklus.Actors.Hosting;

public sealed record ClusterSettings(IReadOnlyList<string> SeedNodes);

public sealed record GroupCoordinatorSettings(int MaxShards, TimeSpan IdleTimeout);

public static class LiiklusAkkaExtensions
{
    /// <summary>
    /// Clustering with the given seed nodes; without any, the node joins itself and forms a cluster of one,
    /// so several gateways can run side by side on one machine with no settings.
    /// </summary>
    public static AkkaConfigurationBuilder WithLiiklusCluster(this AkkaConfigurationBuilder builder, ClusterSettings settings)
    {
        builder.WithClustering(new ClusterOptions { SeedNodes = settings.SeedNodes.ToArray() });
        if (settings.SeedNodes.Count == 0)
        {
            builder.AddStartup((system, _) =>
            {
                var cluster = Cluster.Get(system);
                cluster.Join(cluster.SelfAddress);
            });
        }

        return builder;
    }

    /// <summary>One group coordinator per (topic, group name), spread over the cluster by sharding.</summary>
    public static AkkaConfigurationBuilder WithGroupCoordinators(this AkkaConfigurationBuilder builder, GroupCoordinatorSettings settings) =>
        builder.WithShardRegion<GroupCoordinatorRegion>(
            "group-coordinator",
            (_, _, resolver) => _ => GroupCoordinator.Props(resolver.GetService<IRecordsStorage>(), settings.IdleTimeout),
            new GroupCommandExtractor(settings.MaxShards),
            new ShardOptions { StateStoreMode = StateStoreMode.DData, RememberEntities = false });
}
