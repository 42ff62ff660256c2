using Grpc.Core;
using Liiklus.Protocol;
using Liiklus.Tests.Support;

namespace Liiklus.Tests.Security;

/// <summary>Every RPC of the Liiklus protocol, in the order a client makes them.</summary>
public static class SixCalls
{
    /// <summary>Publishes, subscribes, receives the record, acks it, reads the offsets: all must succeed (a new topic).</summary>
    public static async Task SucceedAsync(LiiklusService.LiiklusServiceClient client, string topic, string group)
    {
        var published = await client.PublishAsync(topic, "value", key: "key");
        using var subscription = client.Subscribe(topic, group);
        var assignments = await subscription.NextAsync(8);
        var assignment = assignments.Single(a => a.Partition == published.Partition);
        using var receive = client.Receive(assignment);
        var records = await receive.ReadAsync(1);
        await client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = published.Partition, Offset = records[0].Record.Offset });
        var offsets = await client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group });
        var endOffsets = await client.GetEndOffsetsAsync(new GetEndOffsetsRequest { Topic = topic });

        if (records[0].Record.Value.ToStringUtf8() != "value" || records[0].Record.Offset != published.Offset
            || offsets.Offsets[published.Partition] != published.Offset || endOffsets.Offsets[published.Partition] != published.Offset)
        {
            throw new InvalidOperationException("the six calls succeeded but did not see the record published");
        }
    }

    /// <summary>The status of each of the six calls, made with requests that would otherwise be served.</summary>
    public static async Task<Dictionary<string, StatusCode>> StatusesAsync(LiiklusService.LiiklusServiceClient client, string topic, string group, Assignment assignment)
    {
        return new Dictionary<string, StatusCode>
        {
            ["Publish"] = await Of(() => client.PublishAsync(topic, "value")),
            ["Subscribe"] = await Of(async () =>
            {
                using var subscription = client.Subscribe(topic, group);
                await subscription.NextAsync();
            }),
            ["Receive"] = await Of(async () =>
            {
                using var receive = client.Receive(assignment);
                await receive.ResponseStream.MoveNext(CancellationToken.None);
            }),
            ["Ack"] = await Of(() => client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = 0, Offset = 0 }).ResponseAsync),
            ["GetOffsets"] = await Of(() => client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group }).ResponseAsync),
            ["GetEndOffsets"] = await Of(() => client.GetEndOffsetsAsync(new GetEndOffsetsRequest { Topic = topic }).ResponseAsync),
        };
    }

    private static async Task<StatusCode> Of(Func<Task> call) => (await SecureClients.StatusOf(call)).StatusCode;
}
