using Grpc.Core;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Api;

public sealed class ShutdownSpecs
{
    [Fact]
    public async Task Graceful_stop_ends_subscribe_and_receive_streams_normally()
    {
        var gateway = await TestGateway.StartAsync();
        var topic = NewName("topic");
        var published = await gateway.Client.PublishAsync(topic, "v", key: "k");
        using var subscription = gateway.Client.Subscribe(topic, NewName("group"));
        using var receive = gateway.Client.Receive(await AssignmentFor(subscription, published.Partition));
        await receive.ReadAsync(1);

        var stopping = gateway.StopAsync();
        var rest = await receive.ReadToEndAsync();
        await subscription.Completion.WaitAsync(LiiklusClientExtensions.Deadline);
        await stopping.WaitAsync(LiiklusClientExtensions.Deadline);

        Assert.Empty(rest);
        Assert.Equal(StatusCode.OK, receive.GetStatus().StatusCode);
        await gateway.DisposeAsync();
    }
}
