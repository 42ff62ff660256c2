using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Discovery.Config.Hosting;
using Akka.Discovery.KubernetesApi;
using Akka.Hosting;
using Akka.Management.Dsl;
using Akka.Management.Cluster.Bootstrap;
using Akka.Streams;
using Liiklus.Actors.Browsing;
using Liiklus.Actors.Groups;
using Liiklus.Actors.Receiving;
using Liiklus.Actors.Subscriptions;
using Liiklus.Actors.Telemetry;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Records;
using Microsoft.Extensions.DependencyInjection;

namespace Liiklus.Actors.Hosting;

public static class LiiklusAkkaExtensions
{
    /// <summary>
    /// Clustering with the given seed nodes; without any, the node joins itself and forms a cluster of one,
    /// so several gateways can run side by side on one machine with no settings. With a bootstrap method other than
    /// seed nodes, Akka.Management's Cluster Bootstrap finds the cluster through discovery instead.
    /// </summary>
    public static AkkaConfigurationBuilder WithLiiklusCluster(this AkkaConfigurationBuilder builder, ClusterSettings settings)
    {
        builder.WithClustering(new ClusterOptions { SeedNodes = settings.SeedNodes.ToArray() });
        if (settings.Bootstrap.Method != ClusterBootstrapMethod.SeedNodes)
        {
            return builder.WithLiiklusClusterBootstrap(settings.Bootstrap);
        }

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

    /// <summary>
    /// Discovery of the contact points, and Cluster Bootstrap: a node joins any cluster a contact point already belongs
    /// to; only when none does, and it sees at least the required number of contact points, does the one with the
    /// lowest address form a new cluster, which the others then join. The contact point's HTTP route is served by the
    /// host (see <see cref="ClusterBootstrapSettings.ManagementPort"/>): Akka.Management's own HTTP server needs a
    /// Ceen.Httpd the registry does not serve.
    /// </summary>
    private static AkkaConfigurationBuilder WithLiiklusClusterBootstrap(this AkkaConfigurationBuilder builder, ClusterBootstrapSettings settings)
    {
        // Where contact points without a port of their own are probed.
        builder.AddHocon(
            $"akka.management.http {{ hostname = \"{settings.ManagementHostname}\", port = {settings.ManagementPort} }}",
            HoconAddMode.Prepend);
        if (settings.Method == ClusterBootstrapMethod.Config)
        {
            builder.WithConfigDiscovery(new ConfigServiceDiscoveryOptions
            {
                Services = [new Service { Name = ServiceName, Endpoints = settings.ConfigEndpoints.ToArray() }],
            });
        }
        else
        {
            builder.WithKubernetesDiscovery(new KubernetesDiscoveryOptions { PodLabelSelector = settings.KubernetesLabelSelector });
        }

        var bootstrap = new ClusterBootstrapOptions
        {
            NewClusterEnabled = true,
            ContactPointDiscovery =
            {
                ServiceName = ServiceName,
                RequiredContactPointsNr = settings.RequiredContactPoints,
                ContactWithAllContactPoints = true,
                // Pods name their management port; a static list gives each endpoint's port itself.
                PortName = settings.Method == ClusterBootstrapMethod.Kubernetes ? ClusterBootstrapSettings.ManagementPortName : null,
            },
            ContactPoint =
            {
                // Several nodes on one host (one machine, or pods sharing a node's network) each have a management
                // port of their own: every discovered port is a contact point, not only the default one.
                FilterOnFallbackPort = false,
            },
        };
        return builder
            .WithClusterBootstrap(bootstrap, autoStart: false)
            .AddStartup((system, registry) =>
            {
                var clusterBootstrap = ClusterBootstrap.Get(system);
                // Tells the bootstrap its own contact point, as Akka.Management does when it binds the routes.
                _ = clusterBootstrap.Routes(ManagementRouteProviderSettings.Create(settings.SelfContactPoint, readOnly: true));
                clusterBootstrap.Start().PipeTo(system.DeadLetters);
            });
    }

    /// <summary>The name nodes are discovered under: the actor system's.</summary>
    private const string ServiceName = "liiklus";

    /// <summary>
    /// The core's actors: one group coordinator per (topic, group name), spread over the cluster by sharding, and the
    /// parents of this node's subscriptions and Receive streams.
    /// </summary>
    public static AkkaConfigurationBuilder WithLiiklusCore(this AkkaConfigurationBuilder builder, GroupCoordinatorSettings groups) =>
        builder
            .WithShardRegion<GroupCoordinatorRegion>(
                Placement.CoordinatorPlacement.RegionName,
                (_, _, resolver) => _ => GroupCoordinator.Props(
                    resolver.GetService<IRecordsStorage>(),
                    resolver.GetService<IPositionsStorage>(),
                    groups.IdleTimeout,
                    groups.PartitionsRefreshInterval,
                    // Registered by the host only when it measures.
                    resolver.GetService<GroupTelemetry>(),
                    groups.HandoffGrace),
                new GroupCommandExtractor(groups.MaxShards),
                new ShardOptions { StateStoreMode = StateStoreMode.DData, RememberEntities = false })
            .WithActors((system, registry, resolver) =>
            {
                var region = registry.Get<GroupCoordinatorRegion>();
                registry.Register<SubscriptionSupervisor>(system.ActorOf(
                    SubscriptionSupervisor.Props(region, resolver.GetService<SubscriptionSettings>().JoinTimeout),
                    "subscriptions"));
                registry.Register<ReceiveStreamSupervisor>(system.ActorOf(
                    ReceiveStreamSupervisor.Props(
                        region,
                        resolver.GetService<IRecordsStorage>(),
                        resolver.GetService<IPositionsStorage>(),
                        resolver.GetService<IMaterializer>(),
                        resolver.GetService<ReceiveSettings>()),
                    "receive-streams"));
            });

    /// <summary>
    /// What the API calls the core through (<see cref="SubscriptionStarter"/>, <see cref="ReceiveStreamStarter"/>,
    /// <see cref="GroupMembership"/>, <see cref="TopicBrowser"/>), the node's
    /// <see cref="ByteBudget"/> for records on the receive path, and the stream materializer storages run graphs with.
    /// </summary>
    public static IServiceCollection AddLiiklusCore(
        this IServiceCollection services,
        SubscriptionSettings subscriptions,
        ReceiveSettings receive,
        long receiveMemoryBudgetBytes) =>
        services
            .AddSingleton(subscriptions)
            .AddSingleton(receive)
            .AddSingleton(new ByteBudget(receiveMemoryBudgetBytes))
            .AddSingleton<IMaterializer>(provider => provider.GetRequiredService<ActorSystem>().Materializer())
            .AddSingleton<SubscriptionStarter>()
            .AddSingleton<ReceiveStreamStarter>()
            .AddSingleton<GroupMembership>()
            .AddSingleton<TopicBrowser>()
            .AddSingleton<GroupPositions>()
            .AddSingleton<Placement.CoordinatorPlacement>();
}
