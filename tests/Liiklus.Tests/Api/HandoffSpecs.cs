using System.Text;
using Liiklus.Protocol;
using Liiklus.Storage.Records.Memory;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Api;

/// <summary>
/// A partition moving between members of a group: clients ack what they handled as their Receive stream ends, and the
/// next owner must start after that ack, not from the position before it.
/// </summary>
public sealed class HandoffSpecs
{
    // A one-member group holds partitions 0 to 7; a second member takes 4 to 7.
    private const int MovedPartition = 7;

    [Fact]
    public async Task A_moved_partition_starts_after_the_old_owners_last_ack_sent_as_its_stream_ended()
    {
        await using var gateway = await TestGateway.StartAsync("liiklus.groups.handoff-grace = 10s");
        var (topic, group, key) = await TenRecordsOnTheMovedPartitionAsync(gateway);
        using var first = gateway.Client.Subscribe(topic, group);
        using var receive = gateway.Client.Receive(await AssignmentFor(first, MovedPartition));
        await receive.ReadAsync(10);
        // As clients do: the ack of what was handled once the stream ends, a moment later (its batch finishing).
        var lastAck = Task.Run(async () =>
        {
            await receive.ReadToEndAsync();
            await Task.Delay(300);
            await gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = MovedPartition, Offset = 9 });
        });

        using var second = gateway.Client.Subscribe(topic, group);
        using var next = gateway.Client.Receive(await AssignmentFor(second, MovedPartition));
        await gateway.Client.PublishAsync(topic, "v10", key);
        var firstRecord = (await next.ReadAsync(1))[0];
        await lastAck;

        Assert.Equal(10ul, firstRecord.OffsetOf());
    }

    [Fact]
    public async Task A_moved_partition_goes_to_its_next_owner_after_the_grace_when_no_last_ack_comes()
    {
        await using var gateway = await TestGateway.StartAsync("liiklus.groups.handoff-grace = 1s");
        var (topic, group, _) = await TenRecordsOnTheMovedPartitionAsync(gateway);
        using var first = gateway.Client.Subscribe(topic, group);
        using var receive = gateway.Client.Receive(await AssignmentFor(first, MovedPartition));
        await receive.ReadAsync(10);

        using var second = gateway.Client.Subscribe(topic, group);
        var moved = await AssignmentFor(second, MovedPartition);
        using var next = gateway.Client.Receive(moved);

        // Nothing was acked: the next owner reads the partition from the start.
        Assert.Empty(await receive.ReadToEndAsync());
        Assert.Equal(0ul, (await next.ReadAsync(1))[0].OffsetOf());
    }

    private static async Task<(string Topic, string Group, string Key)> TenRecordsOnTheMovedPartitionAsync(TestGateway gateway)
    {
        var topic = NewName("topic");
        var key = Enumerable.Range(0, 1000).Select(i => $"k{i}").First(k => Murmur2Partitioner.PartitionFor(Encoding.UTF8.GetBytes(k), 8) == MovedPartition);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal((uint)MovedPartition, (await gateway.Client.PublishAsync(topic, $"v{i}", key)).Partition);
        }

        return (topic, NewName("group"), key);
    }
}
