using Grpc.Core;
using Liiklus.Plugins;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Plugins;

/// <summary>
/// Record processors through the real gateway: what a refusal, a failure or a drop does to the one call, and that
/// the gateway keeps serving.
/// </summary>
public sealed class ProcessorSpecs(ProcessorGatewayFixture fixture) : IClassFixture<ProcessorGatewayFixture>
{
    private static readonly string ProcessorName = typeof(ValueTriggeredProcessor).FullName!;
    private readonly LiiklusService.LiiklusServiceClient _client = fixture.Client;

    [Fact]
    public async Task Throwing_pre_processor_fails_that_publish_with_internal_naming_it_and_the_next_publish_works()
    {
        var topic = NewName("topic");

        var error = await Assert.ThrowsAsync<RpcException>(() => _client.PublishAsync(topic, "boom", key: "k"));
        var next = await _client.PublishAsync(topic, "fine", key: "k");

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal($"record pre-processor {ProcessorName} failed; the record was not stored", error.Status.Detail);
        Assert.Equal(0UL, next.Offset);
    }

    [Fact]
    public async Task Refusing_pre_processor_answers_its_own_status_and_reason()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.PublishAsync(NewName("topic"), "forbidden"));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("value 'forbidden' may not be published", error.Status.Detail);
    }

    [Fact]
    public async Task Pre_processor_answering_an_invalid_record_fails_that_publish_with_internal_naming_it()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.PublishAsync(NewName("topic"), "invalidate"));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.StartsWith($"record pre-processor {ProcessorName} answered an invalid record (liiklusEvent.type: must not be empty)", error.Status.Detail);
    }

    [Fact]
    public async Task Throwing_post_processor_ends_that_receive_with_internal_naming_it_and_other_receives_go_on()
    {
        var broken = NewName("topic");
        var healthy = NewName("topic");
        var poisoned = await _client.PublishAsync(broken, "boom-on-receive", key: "k");
        var fine = await _client.PublishAsync(healthy, "fine", key: "k");

        using var brokenSubscription = _client.Subscribe(broken, NewName("group"));
        using var brokenReceive = _client.Receive(await AssignmentFor(brokenSubscription, poisoned.Partition));
        var error = await Assert.ThrowsAsync<RpcException>(() => brokenReceive.ReadToEndAsync());
        using var healthySubscription = _client.Subscribe(healthy, NewName("group"));
        using var healthyReceive = _client.Receive(await AssignmentFor(healthySubscription, fine.Partition));
        var received = await healthyReceive.ReadAsync(1);

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal($"record post-processor {ProcessorName} failed on offset {poisoned.Offset} of partition {poisoned.Partition}", error.Status.Detail);
        Assert.Equal("fine", received[0].Record.Value.ToStringUtf8());
    }

    [Fact]
    public async Task Dropped_record_is_skipped_and_the_stream_goes_on_with_the_next()
    {
        var topic = NewName("topic");
        await _client.PublishAsync(topic, "first", key: "k");
        await _client.PublishAsync(topic, "drop", key: "k");
        var last = await _client.PublishAsync(topic, "third", key: "k");

        using var subscription = _client.Subscribe(topic, NewName("group"));
        using var receive = _client.Receive(await AssignmentFor(subscription, last.Partition));
        var received = await receive.ReadAsync(2);

        Assert.Equal(["first", "third"], received.Select(r => r.Record.Value.ToStringUtf8()));
        Assert.Equal([last.Offset - 2, last.Offset], received.Select(r => r.Record.Offset));
    }

    [Fact]
    public async Task Processors_run_in_configured_order_on_publish_and_in_reverse_on_receive()
    {
        await using var gateway = await TestGateway.StartAsync(
            $$"""liiklus.plugins.orders { "{{typeof(AppendingProcessorB).FullName}}" = -1 }""",
            services => services
                .AddSingleton<IRecordPreProcessor>(new AppendingProcessorA()).AddSingleton<IRecordPostProcessor>(new AppendingProcessorA())
                .AddSingleton<IRecordPreProcessor>(new AppendingProcessorB()).AddSingleton<IRecordPostProcessor>(new AppendingProcessorB()));
        var topic = NewName("topic");
        var published = await gateway.Client.PublishAsync(topic, "v", key: "k");

        using var subscription = gateway.Client.Subscribe(topic, NewName("group"));
        using var receive = gateway.Client.Receive(await AssignmentFor(subscription, published.Partition));
        var received = await receive.ReadAsync(1);

        // Publish: B (order -1) then A. Receive: the reverse, A then B, as layers unwrap.
        Assert.Equal("vbaAB", received[0].Record.Value.ToStringUtf8());
    }
}
