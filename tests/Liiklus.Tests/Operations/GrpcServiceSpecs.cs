using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Operations;

/// <summary>Reflection for grpcurl and Postman, and gzip both ways, on the gRPC port.</summary>
public sealed class GrpcServiceSpecs(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Reflection_lists_the_liiklus_admin_and_health_services()
    {
        using var channel = GrpcChannel.ForAddress(fixture.Gateway.Address);
        var reflection = new ServerReflection.ServerReflectionClient(channel);

        var reply = await AskAsync(reflection, new ServerReflectionRequest { ListServices = "" });

        var services = reply.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("com.github.bsideup.liiklus.LiiklusService", services);
        Assert.Contains("liiklus.admin.v1.LiiklusAdminService", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    [Fact]
    public async Task Reflection_describes_the_liiklus_service_with_its_methods()
    {
        using var channel = GrpcChannel.ForAddress(fixture.Gateway.Address);
        var reflection = new ServerReflection.ServerReflectionClient(channel);

        var reply = await AskAsync(reflection, new ServerReflectionRequest { FileContainingSymbol = "com.github.bsideup.liiklus.LiiklusService" });

        var files = reply.FileDescriptorResponse.FileDescriptorProto.Select(bytes => FileDescriptorProto.Parser.ParseFrom(bytes)).ToList();
        var service = files.SelectMany(f => f.Service).Single(s => s.Name == "LiiklusService");
        Assert.Equal(
            ["Ack", "GetEndOffsets", "GetOffsets", "Publish", "Receive", "Subscribe"],
            service.Method.Select(m => m.Name).Order());
        Assert.Contains(files.SelectMany(f => f.MessageType), m => m.Name == "PublishRequest");
    }

    [Fact]
    public async Task Reflection_describes_the_admin_service_with_its_methods()
    {
        using var channel = GrpcChannel.ForAddress(fixture.Gateway.Address);
        var reflection = new ServerReflection.ServerReflectionClient(channel);

        var reply = await AskAsync(reflection, new ServerReflectionRequest { FileContainingSymbol = "liiklus.admin.v1.LiiklusAdminService" });

        var files = reply.FileDescriptorResponse.FileDescriptorProto.Select(bytes => FileDescriptorProto.Parser.ParseFrom(bytes)).ToList();
        var service = files.SelectMany(f => f.Service).Single(s => s.Name == "LiiklusAdminService");
        // Reflection serves the proto file as declared.
        Assert.Equal(
            ["Browse", "ColdStatus", "DeleteGroup", "DescribeCluster", "DescribeGroup", "DescribeTopic", "ListGroups", "ListTopics", "ResetPositions", "WatchGroup"],
            service.Method.Select(m => m.Name).Order());
        Assert.Contains(files.SelectMany(f => f.MessageType), m => m.Name == "GroupPartition");
    }

    [Fact]
    public async Task A_client_accepting_gzip_receives_its_large_replies_gzipped_in_order_among_the_small_ones()
    {
        // Small replies are framed by the gateway, large ones compressed by grpc-dotnet, into the same response body.
        var wire = new EncodingRecorder();
        using var channel = GrpcChannel.ForAddress(fixture.Gateway.Address, new GrpcChannelOptions { HttpHandler = wire });
        var client = new LiiklusService.LiiklusServiceClient(channel);
        var topic = NewName("topic");
        string[] values = ["first", "second", new string('y', 3000), "fourth", "fifth", new string('z', 2000), "last"];
        var partition = (await client.PublishAsync(topic, values[0], key: "k")).Partition;
        foreach (var value in values[1..])
        {
            await client.PublishAsync(topic, value, key: "k");
        }

        using var subscription = client.Subscribe(topic, NewName("group"));
        // Grpc.Net.Client advertises gzip in grpc-accept-encoding by default.
        using var receive = client.Receive(new ReceiveRequest { Assignment = await AssignmentFor(subscription, partition) });
        var records = await receive.ReadAsync(values.Length);

        Assert.Contains("gzip", wire.AcceptedByClient("Receive"));
        Assert.Equal("gzip", wire.ResponseEncoding("Receive"));
        Assert.Equal(values, records.Select(r => r.Record.Value.ToStringUtf8()));
        Assert.Equal(Enumerable.Range(0, values.Length).Select(i => (ulong)i), records.Select(r => r.Record.Offset));
        // Below liiklus.grpc.compression.min-message-bytes (1 KiB) a reply is not worth compressing.
        Assert.Equal([false, false, true, false, false, true, false], wire.CompressedReplies("Receive"));
    }

    [Fact]
    public async Task A_gzip_request_is_read()
    {
        var wire = new EncodingRecorder();
        using var channel = GrpcChannel.ForAddress(fixture.Gateway.Address, new GrpcChannelOptions { HttpHandler = wire });
        var client = new LiiklusService.LiiklusServiceClient(channel);
        var topic = NewName("topic");
#pragma warning disable CS0612
        var request = new PublishRequest { Topic = topic, Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFromUtf8(new string('y', 5000)) };
#pragma warning restore CS0612

        // Grpc.Net.Client compresses the request body when this header names an encoding.
        var published = await client.PublishAsync(request, new Metadata { { "grpc-internal-encoding-request", "gzip" } }, DateTime.UtcNow.AddSeconds(20));
        Assert.Equal("gzip", wire.RequestEncoding("Publish"));

        using var subscription = client.Subscribe(topic, NewName("group"));
        using var receive = client.Receive(await AssignmentFor(subscription, published.Partition));
        Assert.Equal(new string('y', 5000), (await receive.ReadAsync(1)).Single().Record.Value.ToStringUtf8());
    }

    private static async Task<ServerReflectionResponse> AskAsync(ServerReflection.ServerReflectionClient reflection, ServerReflectionRequest request)
    {
        using var call = reflection.ServerReflectionInfo(deadline: DateTime.UtcNow.AddSeconds(20));
        await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        return call.ResponseStream.Current;
    }
}
