using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Liiklus.Storage.Cold;
using Liiklus.Storage.Cold.Archiving;
using Liiklus.Storage.Cold.Telemetry;
using Liiklus.Storage.Records;

namespace Liiklus.Actors.Cold;

public static class ColdArchiverHosting
{
    /// <summary>Shards spread the archivers over the nodes; a few per node are plenty.</summary>
    private const int MaxShards = 100;

    /// <summary>
    /// One archiver per partition of the archived topics, spread over the cluster by sharding, and on every node the
    /// director that finds those partitions. Needs <see cref="IColdStore"/>, <see cref="IArchiveSource"/>,
    /// <see cref="IRecordsStorage"/> and <see cref="ColdMetrics"/> in the container.
    /// </summary>
    public static AkkaConfigurationBuilder WithColdArchivers(this AkkaConfigurationBuilder builder, ColdArchiveSettings settings) =>
        builder
            .WithShardRegion<ColdArchiverRegion>(
                "cold-archiver",
                (_, _, resolver) => entityId =>
                {
                    var (topic, partition) = ArchivePartitionExtractor.Parse(entityId);
                    return PartitionArchiver.Props(
                        topic,
                        partition,
                        resolver.GetService<IColdStore>(),
                        resolver.GetService<IArchiveSource>(),
                        resolver.GetService<ColdMetrics>(),
                        settings);
                },
                new ArchivePartitionExtractor(MaxShards),
                new ShardOptions { StateStoreMode = StateStoreMode.DData, RememberEntities = false })
            .WithActors((system, registry, resolver) =>
                system.ActorOf(
                    ColdArchiveDirector.Props(registry.Get<ColdArchiverRegion>(), resolver.GetService<IRecordsStorage>(), settings),
                    "cold-archive-director"));
}
