using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Streams;
using Liiklus.Actors.Hosting;
using Liiklus.Api.Configuration;
using Liiklus.Api.Grpc;
using Liiklus.Api.Security;
using Liiklus.Api.Security.Cluster;
using Liiklus.Api.Security.Tls;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Liiklus.Api.Hosting;

/// <summary>Builds the gateway: Kestrel serving the Liiklus gRPC service over the Akka.NET core.</summary>
public static class GatewayHost
{
    public const string ActorSystemName = "liiklus";

    /// <param name="args">command-line arguments for ASP.NET Core</param>
    /// <param name="overrides">HOCON that wins over the files and the environment (tests use it)</param>
    /// <param name="configureServices">last word on the services, e.g. a storage decorator</param>
    public static WebApplication Build(string[] args, Config? overrides = null, Action<IServiceCollection>? configureServices = null)
    {
        var config = GatewayConfig.Load(overrides);
        var settings = GatewaySettings.From(config);
        var security = GatewaySecurity.Load(config); // issue 13: TLS, JWT, cluster TLS
        var builder = WebApplication.CreateBuilder(args);

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            console.UseUtcTimestamp = true;
        });
        builder.Host.ConfigureHostOptions(host => host.ShutdownTimeout = TimeSpan.FromSeconds(20));
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Parse(settings.GrpcAddress), settings.GrpcPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (security.GrpcCertificates is { } certificates)
                {
                    listen.UseGatewayTls(certificates); // issue 13
                }
            }));

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddStorages(settings);
        builder.Services.AddSingleton<IMaterializer>(services => services.GetRequiredService<ActorSystem>().Materializer());
        builder.Services.AddAkka(ActorSystemName, akka => akka
            .AddHocon(config, HoconAddMode.Prepend)
            .ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            })
            .WithLiiklusCluster(settings.Cluster)
            .WithClusterTls(security.ClusterCertificates) // issue 13
            .WithGroupCoordinators(settings.Groups));
        builder.Services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<StatusMappingInterceptor>();
            // Leave room above the record limit so an oversized record gets the gateway's own clear status.
            grpc.MaxReceiveMessageSize = settings.MaxRecordSizeBytes + 64 * 1024;
        });
        // grpc.health.v1 for load balancers and orchestrators: SERVING once the node has joined its cluster.
        builder.Services.AddGrpcHealthChecks().AddCheck<ClusterMembershipHealthCheck>("cluster");
        builder.Services.AddGatewaySecurity(security); // issue 13
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapGrpcService<LiiklusGrpcService>();
        app.MapGrpcHealthChecksService();
        return app;
    }
}
