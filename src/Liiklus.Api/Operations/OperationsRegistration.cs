using Grpc.AspNetCore.Server;
using Liiklus.Actors.Telemetry;
using Liiklus.Api.Configuration;
using Liiklus.Api.Operations.Compression;
using Liiklus.Api.Operations.Health;
using Liiklus.Api.Operations.Metrics;
using Liiklus.Api.Operations.Tracing;
using Liiklus.Storage.Telemetry;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Liiklus.Api.Operations;

/// <summary>
/// Everything an operator looks at, added beside the gRPC service: the HTTP/1.1 port with /prometheus, /metrics,
/// /health and /health/ready (on that port alone, never on the gRPC port); metrics (System.Diagnostics.Metrics, exported for Prometheus by OpenTelemetry); traces
/// (exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set); gRPC reflection, compression and the
/// Liiklus service's health while the node drains.
/// </summary>
public static class OperationsRegistration
{
    public const string LiiklusServiceName = "com.github.bsideup.liiklus.LiiklusService";

    /// <summary>The standard OpenTelemetry variable; tracing is on only when it is set.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Meters created through the host's meter factory (each gateway in a process exports only its own).</summary>
    private static readonly string[] LocalMeters =
    [
        GatewayMetrics.MeterName,
        StorageMetrics.MeterName,
        GroupTelemetry.MeterName,
        Liiklus.Storage.Cold.Telemetry.ColdMetrics.MeterName,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
    ];

    /// <summary>ASP.NET Core's instruments the gateway leaves off (see <see cref="AddMetrics"/>).</summary>
    public const string AspNetCoreActiveRequests = "http.server.active_requests";

    public const string KestrelQueuedRequests = "kestrel.queued_requests";

    public static WebApplicationBuilder AddLiiklusOperations(this WebApplicationBuilder builder, GatewaySettings settings)
    {
        var operations = settings.Operations;
        var services = builder.Services;
        services.AddSingleton(operations);

        var endpoint = new OperationsEndpoint();
        services.AddSingleton(endpoint);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(operations.HttpAddress, operations.HttpPort, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            endpoint.Listen = listen;
        }));

        // Parts of the gateway's one interceptor (GatewayCallInterceptor), which takes them when they are registered.
        if (operations.ResponseCompression is not null && operations.CompressionMinMessageBytes > 0)
        {
            services.AddSingleton<SmallRepliesUncompressed>();
        }

        if (operations.MetricsEnabled)
        {
            services.AddSingleton<CallMetrics>();
        }

        services.Configure<GrpcServiceOptions>(grpc =>
        {
            // Sent only to clients whose grpc-accept-encoding names gzip; gzip requests are read whatever this says.
            grpc.ResponseCompressionAlgorithm = operations.ResponseCompression;
            grpc.ResponseCompressionLevel = operations.CompressionLevel;
        });
        services.AddGrpcReflection();

        services.AddSingleton<NodeDraining>();
        services.AddHostedService(provider => provider.GetRequiredService<NodeDraining>());
        services.AddGatewayHealthChecks(settings);

        services.AddStorageTelemetry(
            settings.RecordsStorageType.ToLowerInvariant(),
            settings.PositionsStorageType.ToLowerInvariant(),
            operations.MetricsEnabled);

        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource =>
        {
            if (string.IsNullOrEmpty(builder.Configuration["OTEL_SERVICE_NAME"]))
            {
                resource.AddService("liiklus");
            }
        });
        if (operations.MetricsEnabled)
        {
            AddMetrics(services, telemetry, operations);
        }

        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]))
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(GatewayTracing.SourceName, StorageTracing.SourceName, CoordinatorTracing.SourceName)
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !IsOperationsPath(context.Request.Path))
                .AddOtlpExporter());
        }

        return builder;
    }

    public static WebApplication MapLiiklusOperations(this WebApplication app)
    {
        app.MapGrpcReflectionService();
        OperationsPortOnly.Enforce(app);
        app.MapHealthEndpoints();
        if (app.Services.GetRequiredService<OperationsSettings>().MetricsEnabled)
        {
            // Liiklus's path, and the one Prometheus looks at by default: the same text.
            app.MapPrometheusScrapingEndpoint("/prometheus").WithMetadata(OperationsPortOnly.Instance);
            app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(OperationsPortOnly.Instance);
        }

        return app;
    }

    private static void AddMetrics(IServiceCollection services, IOpenTelemetryBuilder telemetry, OperationsSettings operations)
    {
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<CoordinatedGroups>();
        services.AddSingleton<GroupTelemetry>();
        services.AddHostedService<GroupPositionsGauges>();
        services.AddHostedService<ClusterMembersGauge>();
        services.AddMetrics(metrics =>
        {
            foreach (var meter in LocalMeters)
            {
                metrics.EnableMetrics(meter, instrumentName: null, listenerName: "OpenTelemetry", scopes: MeterScope.Local);
            }
        });
        telemetry.WithMetrics(metrics => metrics
            .AddRuntimeInstrumentation()
            // Not measured: each costs two updates of many labels per call, for what is exported otherwise. Requests in
            // flight are the open streams (liiklus_subscribe_streams, liiklus_receive_streams) plus unary calls counted
            // by http_server_request_duration_seconds; requests queued for a thread show in the thread pool's queue.
            .AddView(AspNetCoreActiveRequests, MetricStreamConfiguration.Drop)
            .AddView(KestrelQueuedRequests, MetricStreamConfiguration.Drop)
            // The positions and lag gauges are capped by liiklus.metrics.max-group-series, not by the SDK's default.
            .AddView("liiklus_topic_position", new MetricStreamConfiguration { CardinalityLimit = operations.MaxGroupSeries + 1 })
            .AddView("liiklus_group_lag", new MetricStreamConfiguration { CardinalityLimit = operations.MaxGroupSeries + 1 })
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
    }

    private static bool IsOperationsPath(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/prometheus") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/console");
}
