using System.Net;
using Akka.Configuration;
using Grpc.Core;
using Grpc.Net.Client;
using Liiklus.Api.Hosting;
using Liiklus.Protocol;
using Liiklus.Storage.Records;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Liiklus.Bench;

/// <summary>The gateway and the bare baseline, each on its own loopback port in this process, with clients.</summary>
public sealed class BenchHosts : IAsyncDisposable
{
    private readonly List<WebApplication> _apps = [];
    private readonly List<GrpcChannel> _channels = [];

    public LiiklusService.LiiklusServiceClient Gateway { get; private set; } = null!;

    public LiiklusService.LiiklusServiceClient Bare { get; private set; } = null!;

    /// <summary>The gateway's records storage, to lay down test data without timing the publish path.</summary>
    public IRecordsStorage GatewayRecords { get; private set; } = null!;

    public static async Task<BenchHosts> StartAsync()
    {
        var hosts = new BenchHosts();
        var gateway = BuildGateway("""
            liiklus.storage.memory.partitions-per-topic = 8
            liiklus.storage.memory.retention-per-partition = 600000
            """);
        var bare = BuildBare();
        hosts._apps.Add(gateway);
        hosts._apps.Add(bare);
        await gateway.StartAsync();
        await bare.StartAsync();
        hosts.Gateway = new LiiklusService.LiiklusServiceClient(hosts.ChannelTo(gateway));
        hosts.Bare = new LiiklusService.LiiklusServiceClient(hosts.ChannelTo(bare));
        hosts.GatewayRecords = gateway.Services.GetRequiredService<IRecordsStorage>();
        return hosts;
    }

    /// <summary>Another gateway, e.g. on other storages, started beside the first; the caller stops it.</summary>
    public async Task<ExtraGateway> StartGatewayAsync(string hocon)
    {
        var gateway = BuildGateway(hocon);
        await gateway.StartAsync();
        return new ExtraGateway(gateway, new LiiklusService.LiiklusServiceClient(ChannelTo(gateway)));
    }

    public sealed class ExtraGateway(WebApplication app, LiiklusService.LiiklusServiceClient client) : IAsyncDisposable
    {
        public LiiklusService.LiiklusServiceClient Client { get; } = client;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>A fresh client of the gateway on connections of its own.</summary>
    public LiiklusService.LiiklusServiceClient NewGatewayClient() => new(ChannelTo(_apps[0]));

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static WebApplication BuildGateway(string hocon) =>
        GatewayHost.Build(["--Logging:LogLevel:Default=Warning"], ConfigurationFactory.ParseString(hocon).WithFallback(
            ConfigurationFactory.ParseString("""
                liiklus.grpc.address = "127.0.0.1"
                liiklus.grpc.port = 0
                akka.loglevel = WARNING
                """)));

    private static WebApplication BuildBare()
    {
        var builder = WebApplication.CreateBuilder(["--Logging:LogLevel:Default=Warning"]);
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<BareLiiklusService>();
        return app;
    }

    private GrpcChannel ChannelTo(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
            MaxReceiveMessageSize = 16 * 1024 * 1024,
        });
        _channels.Add(channel);
        return channel;
    }
}

public static class BenchClient
{
    /// <summary>Subscribes a new group and answers its assignment of <paramref name="partition"/>.</summary>
    public static async Task<(AsyncServerStreamingCall<SubscribeReply> Call, Assignment Assignment)> SubscribeAsync(
        this LiiklusService.LiiklusServiceClient client, string topic, string group, uint partition)
    {
        var call = client.Subscribe(new SubscribeRequest { Topic = topic, Group = group });
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            if (call.ResponseStream.Current.Assignment.Partition == partition)
            {
                return (call, call.ResponseStream.Current.Assignment);
            }
        }

        throw new InvalidOperationException($"subscription to {topic} ended before partition {partition} was assigned");
    }

    /// <summary>Reads <paramref name="count"/> replies; answers the offset of the last.</summary>
    public static async Task<ulong> ReadAsync(this AsyncServerStreamingCall<ReceiveReply> call, long count, CancellationToken cancellationToken = default)
    {
        ulong last = 0;
        for (long i = 0; i < count; i++)
        {
            if (!await call.ResponseStream.MoveNext(cancellationToken))
            {
                throw new InvalidOperationException($"stream ended after {i} of {count} records");
            }

            last = call.ResponseStream.Current.Record.Offset;
        }

        return last;
    }

    /// <summary>A key that the gateway's partitioner puts on <paramref name="partition"/> of 8.</summary>
    public static byte[] KeyFor(int partition) =>
        System.Text.Encoding.UTF8.GetBytes(Liiklus.Tests.Support.Keys.ForPartition(partition, 8));

    public static async Task FillAsync(this IRecordsStorage records, string topic, int partition, int count)
    {
        var key = KeyFor(partition);
        var value = new byte[Workload.RecordSize];
        for (var i = 0; i < count; i++)
        {
            await records.PublishAsync(topic, new OutgoingRecord(key, value, [], DateTimeOffset.UtcNow), CancellationToken.None);
        }
    }
}
