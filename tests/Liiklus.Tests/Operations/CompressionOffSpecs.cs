using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Operations;

public sealed class CompressionOffSpecs
{
    [Fact]
    public async Task With_response_compression_off_a_client_accepting_gzip_gets_plain_replies()
    {
        await using var gateway = await TestGateway.StartAsync("liiklus.grpc.compression.responses = off");
        var wire = new EncodingRecorder();
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(gateway.Address, new Grpc.Net.Client.GrpcChannelOptions { HttpHandler = wire });
        var client = new LiiklusService.LiiklusServiceClient(channel);
        var topic = NewName("topic");
        var partition = (await client.PublishAsync(topic, new string('x', 2000), key: "k")).Partition;
        using var subscription = client.Subscribe(topic, NewName("group"));

        using var receive = client.Receive(new ReceiveRequest { Assignment = await AssignmentFor(subscription, partition) });
        await receive.ReadAsync(1);

        Assert.Contains("gzip", wire.AcceptedByClient("Receive"));
        Assert.Null(wire.ResponseEncoding("Receive"));
        Assert.Equal([false], wire.CompressedReplies("Receive"));
    }
}
