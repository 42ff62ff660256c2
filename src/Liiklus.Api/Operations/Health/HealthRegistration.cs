using Grpc.AspNetCore.HealthChecks;
using Liiklus.Api.Configuration;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Records;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Liiklus.Api.Operations.Health;

/// <summary>
/// The node's health, all of it as Microsoft.Extensions.Diagnostics.HealthChecks checks: cluster membership, draining
/// and one per storage. grpc.health.v1 answers from the first two (a storage outage does not take the node out of
/// its load balancer, as in Liiklus), /health/ready from all of them.
/// </summary>
public static class HealthRegistration
{
    public const string ClusterCheck = "cluster";
    public const string DrainingCheck = "draining";
    public const string ReadinessTag = "ready";

    private const string StorageTag = "storage";

    public static IServiceCollection AddGatewayHealthChecks(this IServiceCollection services, GatewaySettings settings)
    {
        var timeout = settings.Operations.ReadinessTimeout;
        services.AddGrpcHealthChecks()
            .AddCheck<ClusterMembershipHealthCheck>(ClusterCheck, tags: [ReadinessTag])
            .AddCheck<DrainingHealthCheck>(DrainingCheck, tags: [ReadinessTag])
            .Add(new HealthCheckRegistration(
                "records-storage",
                provider => StorageHealthCheck.Records(provider.GetRequiredService<IRecordsStorage>(), settings.RecordsStorageType, timeout),
                HealthStatus.Unhealthy,
                [ReadinessTag, StorageTag]))
            .Add(new HealthCheckRegistration(
                "positions-storage",
                provider => StorageHealthCheck.Positions(provider.GetRequiredService<IPositionsStorage>(), settings.PositionsStorageType, timeout),
                HealthStatus.Unhealthy,
                [ReadinessTag, StorageTag]));
        services.Configure<GrpcHealthChecksOptions>(health =>
        {
            // "" answers for the node (a member of its cluster); the Liiklus service also stops serving while it drains.
            health.Services.Map("", check => check.Name == ClusterCheck);
            health.Services.Map(OperationsRegistration.LiiklusServiceName, check => check.Name is ClusterCheck or DrainingCheck);
        });
        // The background publisher pushes grpc.health.v1 statuses to watchers: it has no use for the storage questions.
        services.Configure<HealthCheckPublisherOptions>(publisher => publisher.Predicate = check => !check.Tags.Contains(StorageTag));
        // A check's result is the answer of /health/ready or grpc.health.v1; the health-check service would also log
        // every unhealthy one as an error, a line per probe for as long as a storage is down or the node drains.
        services.AddLogging(logging => logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        return services;
    }
}
