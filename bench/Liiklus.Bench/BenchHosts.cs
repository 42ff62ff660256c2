using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Liiklus.Tests.Support;
using Liiklus.Protocol;
using Liiklus.Storage.Records;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Liiklus.Bench;

/// <summary>
/// The gateway (the tests' <see cref="TestGateway"/>) and the bare baseline, each on its own loopback port in this
/// process, with clients.
/// </summary>
public sealed class BenchHosts : IAsyncDisposable
{
    /// <summary>Records the gateway's in-memory storage keeps per partition: more than any one benchmark reads back.</summary>
    public const int RetentionPerPartition = 600_000;

    private readonly List<GrpcChannel> _channels = [];
    private TestGateway _gateway = null!;
    private WebApplication _bare = null!;

    public LiiklusService.LiiklusServiceClient Gateway => _gateway.Client;

    public LiiklusService.LiiklusServiceClient Bare { get; private set; } = null!;

    /// <summary>The gateway's records storage, to lay down test data without timing the publish path.</summary>
    public IRecordsStorage GatewayRecords => _gateway.Services.GetRequiredService<IRecordsStorage>();

    public static async Task<BenchHosts> StartAsync()
    {
        var hosts = new BenchHosts
        {
            _gateway = await TestGateway.StartAsync($"liiklus.storage.memory.retention-per-partition = {RetentionPerPartition}"),
            _bare = BuildBare(),
        };
        await hosts._bare.StartAsync();
        hosts.Bare = new LiiklusService.LiiklusServiceClient(hosts.ChannelTo(
            hosts._bare.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()));
        return hosts;
    }

    /// <summary>Another gateway, e.g. on other storages, started beside the first; the caller stops it.</summary>
    public Task<TestGateway> StartGatewayAsync(string hocon) => TestGateway.StartAsync(hocon);

    /// <summary>
    /// A gateway on <paramref name="kafka"/> with the storage's defaults but for the librdkafka
    /// <paramref name="properties"/> a benchmark sets (a HOCON object's fields); the caller stops it.
    /// </summary>
    public Task<TestGateway> StartKafkaGatewayAsync(MockKafkaCluster kafka, string properties) => TestGateway.StartAsync($$"""
        liiklus.storage.records.type = KAFKA
        liiklus.storage.kafka {
          bootstrap-servers = "{{kafka.BootstrapServers}}"
          properties { {{properties}} }
        }
        """);

    /// <summary>A fresh client of the gateway on connections of its own.</summary>
    public LiiklusService.LiiklusServiceClient NewGatewayClient() => new(ChannelTo(_gateway.Address));

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        await _gateway.DisposeAsync();
        await _bare.StopAsync();
        await _bare.DisposeAsync();
    }

    private static WebApplication BuildBare()
    {
        var builder = WebApplication.CreateBuilder(["--Logging:LogLevel:Default=Warning"]);
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(BareLiiklusService.NewStorage());
        var app = builder.Build();
        app.MapGrpcService<BareLiiklusService>();
        return app;
    }

    private GrpcChannel ChannelTo(string address)
    {
        // The gateway's own client's settings, so the bare side and extra clients differ from it in nothing.
        var channel = TestGateway.NewChannel(address);
        _channels.Add(channel);
        return channel;
    }
}
