using Akka.Configuration;
using Akka.Hosting;
using Grpc.AspNetCore.Server;
using Liiklus.Actors.Hosting;
using Liiklus.Api.Configuration;
using Liiklus.Api.Admin;
using Liiklus.Api.Grpc;
using Liiklus.Api.Logging;
using Liiklus.Api.Plugins;
using Liiklus.Api.Schema;
using Liiklus.Api.Security;
using Liiklus.Api.Security.Cluster;
using Liiklus.Api.Security.Tls;
using Liiklus.Api.Operations;
using Liiklus.Api.Operations.Compression;
using Liiklus.Api.Operations.Metrics;
using Liiklus.Api.WebConsole;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Liiklus.Api.Hosting;

/// <summary>Builds the gateway: Kestrel serving the Liiklus gRPC service over the Akka.NET core.</summary>
public static class GatewayHost
{
    public const string ActorSystemName = "liiklus";

    /// <summary>Log levels an operator can raise or lower (Logging__LogLevel__&lt;category&gt;): per-call lines are off.</summary>
    private static readonly Dictionary<string, string?> QuietByDefault = new()
    {
        // Request start/finish and endpoint executing/executed: four lines per call.
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        // A status a call ended with (unparsable request, client gone, cancelled): the client's business, not the operator's.
        ["Logging:LogLevel:Grpc.AspNetCore.Server"] = "Warning",
    };

    /// <summary>ASP.NET Core's category of request lines, whose being on makes an Activity for every request.</summary>
    private const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>Whether the configured level of the request lines' category, the most specific setting that covers it, lets them through.</summary>
    private static bool RequestLinesAsked(IConfiguration configuration)
    {
        string[] covering = [HostingDiagnosticsCategory, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore", "Microsoft", "Default"];
        var level = covering.Select(category => configuration[$"Logging:LogLevel:{category}"]).FirstOrDefault(value => value is not null);
        return Enum.TryParse<LogLevel>(level, ignoreCase: true, out var parsed) && parsed <= LogLevel.Information;
    }

    /// <param name="args">command-line arguments for ASP.NET Core</param>
    /// <param name="overrides">HOCON that wins over the files and the environment (tests use it)</param>
    /// <param name="configureServices">last word on the services, e.g. a storage decorator</param>
    /// <exception cref="SettingsException">a setting is missing, unparsable or out of range</exception>
    public static WebApplication Build(string[] args, Config? overrides = null, Action<IServiceCollection>? configureServices = null)
    {
        var config = GatewayHocon.Load(overrides);
        var settings = GatewaySettings.From(config);
        var security = GatewaySecurity.Load(config);
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = QuietByDefault });

        ConfigureLogging(builder.Logging, settings.JsonLogs, settings.LogRepeats);
        // ASP.NET Core starts an Activity for every request (ids, tags, the path) while its hosting category logs at any
        // level, even with nothing listening for traces. Below Information that category writes nothing per request, and
        // nothing else a gateway needs (a start-up failure is thrown as well), so it stays off unless the operator asks for
        // the per-call lines; with tracing on, the tracer's own listener still makes every request's span.
        if (!RequestLinesAsked(builder.Configuration))
        {
            builder.Logging.AddFilter(HostingDiagnosticsCategory, LogLevel.None);
        }

        builder.Host.ConfigureHostOptions(host => host.ShutdownTimeout = TimeSpan.FromSeconds(20));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var http2 = kestrel.Limits.Http2;
            http2.MaxStreamsPerConnection = settings.Grpc.MaxConcurrentStreams;
            http2.InitialStreamWindowSize = settings.Grpc.InitialStreamWindowBytes;
            http2.InitialConnectionWindowSize = settings.Grpc.InitialConnectionWindowBytes;
            http2.KeepAlivePingDelay = settings.Grpc.KeepAlivePingDelay ?? TimeSpan.MaxValue;
            http2.KeepAlivePingTimeout = settings.Grpc.KeepAlivePingTimeout;
            if (settings.Cluster.Bootstrap.Method != ClusterBootstrapMethod.SeedNodes)
            {
                ClusterContactPoint.Listen(kestrel, settings.Cluster.Bootstrap);
            }

            kestrel.Listen(settings.Grpc.Address, settings.Grpc.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (security.GrpcCertificates is { } certificates)
                {
                    listen.UseGatewayTls(certificates);
                }
            });
        });

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddStorages(settings);
        builder.Services.AddLiiklusCore(settings.Subscribe, settings.Receive, settings.ReceiveMemoryBudgetBytes);
        // Schema validation (a pre-processor) and the record processor plugins, read and loaded at start.
        builder.Services.AddSchemaValidation(SchemaSettings.From(config));
        builder.Services.AddRecordProcessors(PluginSettings.From(config));
        builder.Services.AddAkka(ActorSystemName, akka => akka
            .AddHocon(config, HoconAddMode.Prepend)
            // Akka's shutdown still writes through its fallback logger after the bridge below has stopped.
            .AddHocon(settings.JsonLogs ? $"akka.stdout-logger-class = \"{typeof(JsonStdoutLogger).AssemblyQualifiedName}\"" : "akka {}", HoconAddMode.Prepend)
            .ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLogger<AkkaLogBridge>();
            })
            .WithLiiklusCluster(settings.Cluster)
            .WithClusterTls(security.ClusterCertificates)
            .WithLiiklusCore(settings.Groups)
            .WithColdArchiversWhenOn(settings.Cold));
        // An interceptor registered as a service is resolved, not made for every call (it keeps no call's state). Its
        // compression and metrics parts are registered by AddLiiklusOperations when they are on.
        builder.Services.AddSingleton<FailureStatuses>();
        builder.Services.AddSingleton(services => new GatewayCallInterceptor(
            services.GetRequiredService<FailureStatuses>(),
            services.GetService<SmallRepliesUncompressed>(),
            services.GetService<CallMetrics>(),
            services.GetRequiredService<IOptions<GrpcServiceOptions>>().Value));
        // The Liiklus service keeps no call's state: resolved once rather than made for every call, which an idle node
        // pays once per open stream.
        builder.Services.AddSingleton<LiiklusGrpcService>();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<GatewayCallInterceptor>();
            // Leave room above the record limit so an oversized record gets the gateway's own clear status.
            grpc.MaxReceiveMessageSize = settings.MaxRecordSizeBytes + 64 * 1024;
        });
        // Metrics, health, tracing, reflection and compression (src/Liiklus.Api/Operations).
        builder.AddLiiklusOperations(settings);
        // The web console at /console on the operations port, and gRPC-Web there for the services it calls.
        builder.Services.AddWebConsole(settings.Operations);
        builder.Services.AddHostedService(services => new UnknownSettingsWarning(config, services.GetRequiredService<ILogger<UnknownSettingsWarning>>()));
        builder.Services.AddGatewaySecurity(security);
        // A node with a per-node storage stays alone; a test host sharing one storage between nodes replaces this.
        builder.Services.AddSingleton(PerNodeStorages.Of(settings));
        builder.Services.AddHostedService<SecondMemberGuard>();
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        if (settings.Cluster.Bootstrap.Method != ClusterBootstrapMethod.SeedNodes)
        {
            ClusterContactPoint.Serve(app, settings.Cluster.Bootstrap);
        }

        var liiklus = app.MapGrpcService<LiiklusGrpcService>();
        var admin = app.MapGrpcService<LiiklusAdminGrpcService>();
        app.MapGrpcHealthChecksService();
        app.MapLiiklusOperations();
        app.MapWebConsole(liiklus, admin);
        StartUpSummary.LogOnceServing(app);
        return app;
    }

    private static void ConfigureLogging(ILoggingBuilder logging, bool json, RepeatLimits repeats)
    {
        logging.ClearProviders();
        if (json)
        {
            logging.AddJsonConsole(console =>
            {
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                console.UseUtcTimestamp = true;
            });
        }
        else
        {
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                console.UseUtcTimestamp = true;
            });
        }

        if (repeats.Enabled)
        {
            // The console provider, built as AddConsole registered it, behind the repeat limit.
            var console = logging.Services.Single(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider));
            logging.Services.Remove(console);
            logging.Services.AddSingleton<ILoggerProvider>(provider => new RepeatLimitingLoggerProvider(
                ActivatorUtilities.CreateInstance<ConsoleLoggerProvider>(provider), repeats, TimeProvider.System));
        }
    }
}
