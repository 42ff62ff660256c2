using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Liiklus.Tests.Support;
using Liiklus.Protocol;
using Liiklus.Storage.Records;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Liiklus.Bench;

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
