using System.IO.Compression;
using System.Net;

namespace Liiklus.Api.Configuration;

/// <summary>
/// The operations side of the gateway: the HTTP/1.1 port (metrics, health and the web console), metrics and their series caps, gRPC
/// compression, readiness probes and the drain on shutdown.
/// </summary>
/// <param name="HttpAddress">address of the HTTP/1.1 port</param>
/// <param name="HttpPort">the HTTP/1.1 port (Liiklus's <c>server_port</c>); 0 picks a free one</param>
/// <param name="MetricsEnabled">off: no instrument is created and /prometheus is not served</param>
/// <param name="PositionsRefreshInterval">how often the positions and lag gauges are read from the storages</param>
/// <param name="MaxTopicSeries">topics that get a series of their own on the per-topic counters</param>
/// <param name="MaxGroupSeries">(topic, group, version, partition) series the positions and lag gauges export at most</param>
/// <param name="ResponseCompression">"gzip", or null for none</param>
/// <param name="CompressionLevel">how hard gzip works on responses</param>
/// <param name="CompressionMinMessageBytes">replies smaller than this are never compressed</param>
/// <param name="ReadinessTimeout">how long /health/ready waits for each storage to answer</param>
/// <param name="DrainDelay">how long a stopping node keeps serving while reporting NOT_SERVING, before it stops</param>
public sealed record OperationsSettings(
    IPAddress HttpAddress,
    int HttpPort,
    bool MetricsEnabled,
    TimeSpan PositionsRefreshInterval,
    int MaxTopicSeries,
    int MaxGroupSeries,
    string? ResponseCompression,
    CompressionLevel CompressionLevel,
    int CompressionMinMessageBytes,
    TimeSpan ReadinessTimeout,
    TimeSpan DrainDelay)
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    /// <summary>The web console at /console on the HTTP/1.1 port, with gRPC-Web for the services it calls (<c>console_enabled</c>).</summary>
    public bool ConsoleEnabled { get; init; } = true;

    public static OperationsSettings From(SettingsReader read) => new(
        read.Address("liiklus.server.address"),
        read.Int("liiklus.server.port", 0, 65535),
        read.Bool("liiklus.metrics.enabled"),
        read.Duration("liiklus.metrics.positions-refresh-interval", TimeSpan.FromMilliseconds(50), Hour),
        read.Int("liiklus.metrics.max-topic-series", 1, 100_000),
        read.Int("liiklus.metrics.max-group-series", 1, 1_000_000),
        read.OneOf("liiklus.grpc.compression.responses", "GZIP", "OFF") == "GZIP" ? "gzip" : null,
        read.OneOf("liiklus.grpc.compression.level", "FASTEST", "OPTIMAL", "SMALLEST") switch
        {
            "OPTIMAL" => CompressionLevel.Optimal,
            "SMALLEST" => CompressionLevel.SmallestSize,
            _ => CompressionLevel.Fastest,
        },
        (int)read.Bytes("liiklus.grpc.compression.min-message-bytes", 0, 64L * 1024 * 1024),
        read.Duration("liiklus.health.readiness-timeout", TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1)),
        // Within the host's 20 s shutdown timeout, with room for the rest of the stop.
        read.Duration("liiklus.shutdown.drain-delay", TimeSpan.Zero, TimeSpan.FromSeconds(15)))
    {
        ConsoleEnabled = read.Bool("liiklus.console.enabled"),
    };
}
