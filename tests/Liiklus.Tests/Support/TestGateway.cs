using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Remote;
using Akka.Remote.Transport;
using Grpc.Net.Client;
using Liiklus.Api.Hosting;
using Liiklus.Api.Operations;
using Liiklus.Protocol;
using Liiklus.Protocol.Admin;
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

    private TestGateway(WebApplication app, string address, string operationsAddress)
    {
        _app = app;
        Address = address;
        OperationsAddress = operationsAddress;
        _channel = NewChannel(address);
        Client = new LiiklusService.LiiklusServiceClient(_channel);
        Admin = new LiiklusAdminService.LiiklusAdminServiceClient(_channel);
    }

    public string Address { get; }

    /// <summary>The HTTP/1.1 port of /prometheus, /metrics and /health, e.g. http://127.0.0.1:1234.</summary>
    public string OperationsAddress { get; }

    public LiiklusService.LiiklusServiceClient Client { get; }

    /// <summary>A client of the admin API (liiklus.admin.v1) on the same port.</summary>
    public LiiklusAdminService.LiiklusAdminServiceClient Admin { get; }

    public IServiceProvider Services => _app.Services;

    public ActorSystem ActorSystem => _app.Services.GetRequiredService<ActorSystem>();

    /// <summary>This node's Akka.Remote address, to give other nodes as a seed.</summary>
    public string ClusterAddress => Cluster.Get(ActorSystem).SelfAddress.ToString();

    /// <summary>A channel as the tests' clients use: more connections past 100 streams, messages up to 16 MiB.</summary>
    public static GrpcChannel NewChannel(string address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
        MaxReceiveMessageSize = 16 * 1024 * 1024,
    });

    /// <param name="args">more command-line arguments, e.g. <c>--OTEL_EXPORTER_OTLP_ENDPOINT=...</c></param>
    public static async Task<TestGateway> StartAsync(string hocon = "", Action<IServiceCollection>? configureServices = null, params string[] args)
    {
        var overrides = ConfigurationFactory.ParseString(hocon).WithFallback(ConfigurationFactory.ParseString("""
            liiklus.grpc.address = "127.0.0.1"
            liiklus.grpc.port = 0
            liiklus.server.address = "127.0.0.1"
            liiklus.server.port = 0
            liiklus.storage.memory.partitions-per-topic = 8
            akka.loglevel = WARNING
            """));
        var app = GatewayHost.Build(["--Logging:LogLevel:Default=Warning", .. args], overrides, configureServices);
        await app.StartAsync();
        // Two ports: gRPC and the operations' HTTP/1.1 port (metrics, health), told apart by the latter's bound port.
        var operationsPort = app.Services.GetRequiredService<OperationsEndpoint>().Port;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var address = addresses.Single(a => new Uri(a).Port != operationsPort);
        return new TestGateway(app, address, $"http://127.0.0.1:{operationsPort}");
    }

    /// <summary>Stops the gateway as SIGTERM would: streams end, the node leaves its cluster.</summary>
    public async Task StopAsync() => await _app.StopAsync();

    /// <summary>
    /// Cuts this node off from <paramref name="others"/> in both directions, as a killed process or a pulled
    /// cable would: nothing more reaches them, no leave, no death notice. Needs the throttler transport adapter
    /// (<see cref="CrashableNodeHocon"/>) on every node.
    /// </summary>
    public async Task VanishFromAsync(IEnumerable<TestGateway> others)
    {
        foreach (var other in others)
        {
            await Blackhole(this, other);
            await Blackhole(other, this);
        }
    }

    /// <summary>Remoting through Akka's throttler adapter, so a test can black-hole a node.</summary>
    public const string CrashableNodeHocon = "akka.remote.dot-netty.tcp.applied-adapters = [trttl]";

    private static Task<bool> Blackhole(TestGateway from, TestGateway to)
    {
        var transport = ((RemoteActorRefProvider)((ExtendedActorSystem)from.ActorSystem).Provider).Transport;
        return transport.ManagementCommand(new SetThrottle(
            Cluster.Get(to.ActorSystem).SelfAddress,
            ThrottleTransportAdapter.Direction.Both,
            Akka.Remote.Transport.Blackhole.Instance));
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
