using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Liiklus.Protocol;

namespace Liiklus.Tests.Support;

/// <summary>The calls a Liiklus client makes, with deadlines, so a test fails instead of hanging.</summary>
public static class LiiklusClientExtensions
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    public static Task<PublishReply> PublishAsync(this LiiklusService.LiiklusServiceClient client, string topic, string value, string? key = null) =>
        client.PublishAsync(new PublishRequest
        {
            Topic = topic,
            Key = key is null ? ByteString.Empty : ByteString.CopyFromUtf8(key),
#pragma warning disable CS0612
            Value = ByteString.CopyFromUtf8(value),
#pragma warning restore CS0612
        }, deadline: DateTime.UtcNow + Deadline).ResponseAsync;

    public static Subscription Subscribe(
        this LiiklusService.LiiklusServiceClient client,
        string topic,
        string group,
        SubscribeRequest.Types.AutoOffsetReset reset = SubscribeRequest.Types.AutoOffsetReset.Earliest,
        uint version = 0) =>
        new(client.Subscribe(new SubscribeRequest { Topic = topic, Group = group, AutoOffsetReset = reset, GroupVersion = version }));

    public static AsyncServerStreamingCall<ReceiveReply> Receive(
        this LiiklusService.LiiklusServiceClient client,
        Assignment assignment,
        ReceiveRequest.Types.ContentFormat format = ReceiveRequest.Types.ContentFormat.Binary,
        CancellationToken cancellationToken = default) =>
        client.Receive(new ReceiveRequest { Assignment = assignment, Format = format }, cancellationToken: cancellationToken);

    /// <summary>Reads exactly <paramref name="count"/> replies or fails at the deadline.</summary>
    public static async Task<List<ReceiveReply>> ReadAsync(this AsyncServerStreamingCall<ReceiveReply> call, int count, TimeSpan? deadline = null)
    {
        using var timeout = new CancellationTokenSource(deadline ?? Deadline);
        var replies = new List<ReceiveReply>(count);
        while (replies.Count < count)
        {
            if (!await call.ResponseStream.MoveNext(timeout.Token))
            {
                throw new InvalidOperationException($"Receive ended after {replies.Count} of {count} records");
            }

            replies.Add(call.ResponseStream.Current);
        }

        return replies;
    }

    /// <summary>Waits for the server to end the stream; answers the replies that came before the end.</summary>
    public static async Task<List<ReceiveReply>> ReadToEndAsync(this AsyncServerStreamingCall<ReceiveReply> call, TimeSpan? deadline = null)
    {
        using var timeout = new CancellationTokenSource(deadline ?? Deadline);
        var replies = new List<ReceiveReply>();
        while (await call.ResponseStream.MoveNext(timeout.Token))
        {
            replies.Add(call.ResponseStream.Current);
        }

        return replies;
    }

    public static ulong OffsetOf(this ReceiveReply reply) =>
        reply.ReplyCase == ReceiveReply.ReplyOneofCase.Record ? reply.Record.Offset : reply.LiiklusEventRecord.Offset;
}
