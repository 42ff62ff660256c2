using Liiklus.Api.Configuration;
using Liiklus.Api.Operations;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Liiklus.Api.Hosting;

/// <summary>One line once the node serves: which storages it uses and which port is gRPC and which is operations.</summary>
internal static class StartUpSummary
{
    public static void LogOnceServing(WebApplication app)
    {
        var settings = app.Services.GetRequiredService<GatewaySettings>();
        var operations = app.Services.GetRequiredService<OperationsEndpoint>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StartUpSummary).FullName!);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var grpc = addresses.Where(a => new Uri(a).Port != operations.Port).DefaultIfEmpty($"port {settings.Grpc.Port}");
            var ops = addresses.Where(a => new Uri(a).Port == operations.Port).DefaultIfEmpty($"port {operations.Port}");
            logger.LogInformation(
                "Liiklus serving gRPC on {GrpcAddress}, operations (metrics, health) on {OperationsAddress}; records storage {RecordsStorage}, positions storage {PositionsStorage}",
                string.Join(", ", grpc),
                string.Join(", ", ops),
                settings.RecordsStorageType,
                settings.PositionsStorageType);
        });
    }
}
