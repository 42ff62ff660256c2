using Liiklus.Protocol;
using Liiklus.Protocol.Admin;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Api.Admin;

/// <summary>The admin API on the in-memory records and positions storages.</summary>
public sealed class InMemoryAdminApiSpecs : AdminApiContract
{
    protected override Task<TestGateway> StartGatewayAsync() => TestGateway.StartAsync();

    [Fact]
    public async Task Reset_to_a_timestamp_goes_to_the_first_record_stamped_at_or_after_it()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = NewName("topic");
        var group = NewName("group");
        var partition = (await gateway.Client.PublishAsync(topic, "v0", key: "k")).Partition;
        await gateway.Client.PublishAsync(topic, "v1", key: "k");
        var between = await ClockPastAsync(DateTimeOffset.UtcNow);
        await ClockPastAsync(between);
        await gateway.Client.PublishAsync(topic, "v2", key: "k");
        await gateway.Client.PublishAsync(topic, "v3", key: "k");

        var reset = await gateway.Admin.ResetPositionsAsync(new ResetPositionsRequest
        {
            Topic = topic,
            Group = group,
            Partitions = { partition },
            ToTimestamp = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(between),
            Execute = true,
        });

        Assert.Equal(2ul, reset.Partitions.Single().NewPosition);
        var offsets = await gateway.Client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group });
        Assert.Equal(1ul, offsets.Offsets[partition]);
    }

    // Records are stamped with the gateway's clock: wait until it has moved past a time, so no record shares it.
    private static async Task<DateTimeOffset> ClockPastAsync(DateTimeOffset time) =>
        await Eventually.Until(() => Task.FromResult(DateTimeOffset.UtcNow), now => now > time.AddMilliseconds(2), "the clock moving on");
}
