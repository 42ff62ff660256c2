using System.Diagnostics;
using Grpc.Core;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Storage;

/// <summary>
/// A positions storage behind the real gateway, end to end through gRPC: positions outlive the gateway, and while
/// the store is down the calls that need it answer UNAVAILABLE naming it, until it is back, with no restart.
/// </summary>
public abstract class PositionsGatewayContract
{
    /// <summary>Starts a gateway on this storage (and on records that outlive it), with <paramref name="hocon"/> on top.</summary>
    protected abstract Task<TestGateway> StartGatewayAsync(string hocon = "");

    /// <summary>HOCON that lowers the storage's call deadline to 2 s.</summary>
    protected abstract string ShortDeadlineHocon { get; }

    /// <summary>How the storage names itself in an UNAVAILABLE status, e.g. "PostgreSQL positions storage at".</summary>
    protected abstract string StoreName { get; }

    /// <summary>What an Ack refused while the store is down says of it: its name, or more where the store tells down from silent.</summary>
    protected virtual string AckRefusedWhileDown => StoreName;

    protected abstract Task TakeStoreDownAsync();

    protected abstract Task BringStoreBackAsync();

    /// <summary>Reads the acked position with the store's own client and checks it is stored in its documented layout.</summary>
    protected abstract Task AssertStoredAsync(string topic, string group, uint version, uint partition, ulong acked);

    [Fact]
    public async Task Receive_on_a_new_gateway_resumes_right_after_the_offset_acked_on_the_previous_one()
    {
        var topic = NewName("topic");
        var group = NewName("group");
        ulong acked;
        uint partition;
        await using (var first = await StartGatewayAsync())
        {
            partition = (await first.Client.PublishAsync(topic, "v0", key: "k")).Partition;
            for (var i = 1; i < 10; i++)
            {
                await first.Client.PublishAsync(topic, $"v{i}", key: "k");
            }

            using var subscription = first.Client.Subscribe(topic, group, version: 2);
            using var receive = first.Client.Receive(await AssignmentFor(subscription, partition));
            acked = (await receive.ReadAsync(4))[3].Record.Offset;
            await first.Client.AckAsync(
                new AckRequest { Topic = topic, Group = group, GroupVersion = 2, Partition = partition, Offset = acked },
                deadline: DateTime.UtcNow + LiiklusClientExtensions.Deadline);
        }

        await AssertStoredAsync(topic, group, 2, partition, acked);

        await using var second = await StartGatewayAsync();
        using var resumedSubscription = second.Client.Subscribe(topic, group, version: 2);
        using var resumed = second.Client.Receive(await AssignmentFor(resumedSubscription, partition));
        var next = await resumed.ReadAsync(6);

        Assert.Equal(acked + 1, next[0].Record.Offset);
        Assert.Equal(Enumerable.Range(4, 6).Select(i => $"v{i}"), next.Select(r => r.Record.Value.ToStringUtf8()));
    }

    [Fact]
    public async Task Ack_getoffsets_and_receive_answer_unavailable_while_the_store_is_down_and_recover_without_restart()
    {
        await using var gateway = await StartGatewayAsync(ShortDeadlineHocon);
        var client = gateway.Client;
        var topic = NewName("topic");
        var group = NewName("group");
        var partition = (await client.PublishAsync(topic, "v0", key: "k")).Partition;
        for (var i = 1; i < 5; i++)
        {
            await client.PublishAsync(topic, $"v{i}", key: "k");
        }

        await client.AckAsync(Ack(topic, group, partition, 0), deadline: DateTime.UtcNow + LiiklusClientExtensions.Deadline);
        using var subscription = client.Subscribe(topic, group);
        var assignment = await AssignmentFor(subscription, partition);

        await TakeStoreDownAsync();
        try
        {
            var ack = await UnavailableAsync(() =>
                client.AckAsync(Ack(topic, group, partition, 2), deadline: DateTime.UtcNow + LiiklusClientExtensions.Deadline).ResponseAsync);
            var offsets = await UnavailableAsync(() =>
                client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group }, deadline: DateTime.UtcNow + LiiklusClientExtensions.Deadline).ResponseAsync);
            var receive = await UnavailableAsync(async () =>
            {
                using var call = client.Receive(assignment);
                await call.ReadToEndAsync();
            });
            // Which storage and a trace id; the store's address and its client library's words stay in the log.
            foreach (var failed in new[] { ack, offsets, receive })
            {
                Assert.Matches(@"^positions storage unavailable \(trace id [^)]+\)$", failed.Status.Detail);
                Assert.DoesNotContain(StoreName, failed.Status.Detail);
            }
        }
        finally
        {
            await BringStoreBackAsync();
        }

        await Eventually.Until(
            async () => await StatusOfAsync(() => client.AckAsync(Ack(topic, group, partition, 2)).ResponseAsync),
            status => status == StatusCode.OK,
            "an ack once the store is back");
        var stored = await client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group });
        Assert.Equal(new Dictionary<uint, ulong> { [partition] = 2 }, stored.Offsets);
        await AssertStoredAsync(topic, group, 0, partition, 2);
        using var resumed = client.Receive(assignment);
        Assert.Equal([3ul, 4ul], (await resumed.ReadAsync(2)).Select(r => r.Record.Offset));
    }

    [Fact]
    public async Task Lag_of_a_group_whose_consumers_all_left_keeps_being_reported_from_the_store()
    {
        await using var gateway = await StartGatewayAsync(Operations.StoredGroupLag.FastHocon);

        await Operations.StoredGroupLag.KeepsGrowingAfterEveryConsumerLeftAsync(gateway);
    }

    protected static AckRequest Ack(string topic, string group, uint partition, ulong offset) =>
        new() { Topic = topic, Group = group, Partition = partition, Offset = offset };

    /// <summary>The call fails with UNAVAILABLE from the gateway itself, well before the client's own deadline.</summary>
    private static async Task<RpcException> UnavailableAsync(Func<Task> call)
    {
        var clock = Stopwatch.StartNew();
        var failed = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(StatusCode.Unavailable, failed.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"UNAVAILABLE came after {clock.Elapsed}");
        return failed;
    }

    private static async Task<StatusCode> StatusOfAsync(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }
}
