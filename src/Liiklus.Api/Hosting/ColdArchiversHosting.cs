using Akka.Hosting;
using Liiklus.Actors.Cold;
using Liiklus.Storage.Cold;

namespace Liiklus.Api.Hosting;

internal static class ColdArchiversHosting
{
    private static readonly TimeSpan DiscoveryInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetryBackoff = TimeSpan.FromSeconds(2);

    /// <summary>The archivers, when cold storage is on.</summary>
    public static AkkaConfigurationBuilder WithColdArchiversWhenOn(this AkkaConfigurationBuilder builder, ColdOptions cold) =>
        cold.Type == ColdStoreType.None
            ? builder
            : builder.WithColdArchivers(new ColdArchiveSettings(cold.Topics, cold.SegmentMaxBytes, cold.SegmentMaxAge, DiscoveryInterval, RetryBackoff));
}
