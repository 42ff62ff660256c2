using System.Diagnostics;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Liiklus.Tests.Operations;

public sealed class DrainSpecs
{
    private const string LiiklusService = "com.github.bsideup.liiklus.LiiklusService";

    [Fact]
    public async Task While_the_node_drains_the_liiklus_service_is_not_serving_and_the_node_still_answers()
    {
        var gateway = await TestGateway.StartAsync("liiklus.shutdown.drain-delay = 5s");
        using var channel = GrpcChannel.ForAddress(gateway.Address);
        var health = new Health.HealthClient(channel);
        await Eventually.Until(() => StatusAsync(health, LiiklusService), s => s == ServingStatus.Serving, "Liiklus service serving");
        using var watch = health.Watch(new HealthCheckRequest { Service = LiiklusService });
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(ServingStatus.Serving, watch.ResponseStream.Current.Status);

        var stopping = gateway.StopAsync();

        // Watchers hear it (after any SERVING the health publisher had queued); a new Check on a new connection still
        // gets an answer while the node drains.
        using var watchDeadline = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        while (await watch.ResponseStream.MoveNext(watchDeadline.Token) && watch.ResponseStream.Current.Status == ServingStatus.Serving)
        {
        }

        Assert.Equal(ServingStatus.NotServing, watch.ResponseStream.Current.Status);
        using var fresh = GrpcChannel.ForAddress(gateway.Address);
        var freshHealth = new Health.HealthClient(fresh);
        Assert.Equal(ServingStatus.NotServing, await StatusAsync(freshHealth, LiiklusService));
        Assert.Equal(ServingStatus.Serving, await StatusAsync(freshHealth, ""));
        using var operations = new OperationsClient(gateway.OperationsAddress);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await operations.GetAsync("/health/ready")).Status);

        // An open Watch would hold the server's stop until its timeout.
        watch.Dispose();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        await gateway.DisposeAsync();
    }

    [Fact]
    public async Task After_sigterm_streams_keep_delivering_through_the_drain_and_end_when_it_ends()
    {
        using var files = new TestFiles();
        var drainDelay = TimeSpan.FromSeconds(4);
        var environment = new Dictionary<string, string>
        {
            [Liiklus.Api.Configuration.GatewayHocon.ConfigFileVariable] = files.Write("gateway.conf", $"liiklus.shutdown.drain-delay = {drainDelay.TotalSeconds}s"),
        };
        await using var gateway = await GatewayProcess.StartAsync(environment, GatewayProcess.FreePort(), seedNodes: null);
        var topic = NewName("topic");
        var first = await gateway.Client.PublishAsync(topic, "before", key: "k");
        using var subscription = gateway.Client.Subscribe(topic, NewName("group"));
        using var receive = gateway.Client.Receive(await AssignmentFor(subscription, first.Partition));
        await receive.ReadAsync(1);
        var health = new Health.HealthClient(gateway.Channel);

        var clock = Stopwatch.StartNew();
        gateway.Terminate();
        await Eventually.Until(() => StatusAsync(health, LiiklusService), s => s == ServingStatus.NotServing, "the node draining");

        // Published while the node drains, on the same key: the open stream still delivers it.
        var during = await gateway.Client.PublishAsync(topic, "during", key: "k");
        var delivered = Assert.Single(await receive.ReadAsync(1));
        Assert.Equal(during.Offset, delivered.OffsetOf());
        Assert.False(subscription.Completion.IsCompleted, "the Subscribe stream ended before the drain did");

        // Both end normally once the drain is over, not before.
        Assert.Empty(await receive.ReadToEndAsync());
        Assert.Equal(StatusCode.OK, receive.GetStatus().StatusCode);
        await subscription.Completion.WaitAsync(LiiklusClientExtensions.Deadline);
        Assert.True(clock.Elapsed >= drainDelay - TimeSpan.FromMilliseconds(500), $"the streams ended {clock.Elapsed} after SIGTERM, before the drain of {drainDelay} ended");
        await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    private static async Task<ServingStatus> StatusAsync(Health.HealthClient health, string service) =>
        (await health.CheckAsync(new HealthCheckRequest { Service = service }, deadline: DateTime.UtcNow.AddSeconds(5))).Status;
}
