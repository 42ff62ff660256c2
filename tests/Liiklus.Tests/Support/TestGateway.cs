using Akka.Configuration;
using Grpc.Net.Client;
using Liiklus.Api.Hosting;
using Liiklus.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Liiklus.Tests.Support;

/// <summary>
/// The real gateway (Kestrel, Akka cluster of one, storages) on a free loopback port, and a
/// Grpc.Net.Client client for it.
/// </summary>
public sealed class TestGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;

    private TestGateway(WebApplication app, string address)
    {
        _app = app;
        Address = address;
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
            MaxReceiveMessageSize = 16 * 1024 * 1024,
        });
        Client = new LiiklusService.LiiklusServiceClient(_channel);
    }

    public string Address { get; }

    public LiiklusService.LiiklusServiceClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<TestGateway> StartAsync(string hocon = "", Action<IServiceCollection>? configureServices = null)
    {
        var overrides = ConfigurationFactory.ParseString(hocon).WithFallback(ConfigurationFactory.ParseString("""
            liiklus.grpc.address = "127.0.0.1"
            liiklus.grpc.port = 0
            liiklus.storage.memory.partitions-per-topic = 8
            akka.loglevel = WARNING
            """));
        var app = GatewayHost.Build(["--Logging:LogLevel:Default=Warning"], overrides, configureServices);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new TestGateway(app, address);
    }

    /// <summary>Stops the gateway as SIGTERM would: streams end, the node leaves its cluster.</summary>
    public async Task StopAsync() => await _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
