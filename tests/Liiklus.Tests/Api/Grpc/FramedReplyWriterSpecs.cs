using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;
using Grpc.Core;
using Liiklus.Api.Grpc;
using Liiklus.Protocol;
using Xunit;

namespace Liiklus.Tests.Api.Grpc;

/// <summary>
/// A Receive stream's replies written as gRPC frames straight into the response body: the frames a gRPC client reads,
/// in the order written, whichever writer wrote each; a hinted reply waits for a flush, its own or the call's.
/// </summary>
public sealed class FramedReplyWriterSpecs
{
    private const int FramedBelowBytes = 200;
    private const byte GrpcDotnetMark = 0x7f;
    private readonly Pipe _body = new();
    private readonly MarkingWriter _grpcDotnet;
    private readonly FramedReplyWriter _writer;

    public FramedReplyWriterSpecs()
    {
        _grpcDotnet = new MarkingWriter(_body.Writer);
        _writer = new FramedReplyWriter(_grpcDotnet, _body.Writer, FramedBelowBytes);
    }

    [Fact]
    public async Task Replies_after_the_first_are_framed_in_order_and_larger_ones_left_to_grpc_dotnet()
    {
        ReceiveReply[] replies = [Reply(0, 10), Reply(1, 10), Reply(2, 500), Reply(3, 10), Reply(4, FramedBelowBytes)];
        _writer.WriteOptions = new WriteOptions(WriteFlags.BufferHint);
        foreach (var reply in replies[..^1])
        {
            await _writer.WriteAsync(reply);
        }

        _writer.WriteOptions = null;
        await _writer.WriteAsync(replies[^1]);

        var frames = await ReadFramesAsync(replies.Length);
        Assert.Equal(replies, frames.Select(f => f.Reply));
        // The first reply (grpc-dotnet sends the response headers with it) and those at the bound or above.
        Assert.Equal([true, false, true, false, true], frames.Select(f => f.Flag == GrpcDotnetMark));
        // With the caller's options: grpc-dotnet flushes the last one.
        Assert.Equal([WriteFlags.BufferHint, WriteFlags.BufferHint, (WriteFlags?)null], _grpcDotnet.Options.Select(o => o?.Flags));
    }

    [Fact]
    public async Task Hinted_framed_replies_wait_in_the_body_until_an_unhinted_one_flushes_them()
    {
        _writer.WriteOptions = null;
        await _writer.WriteAsync(Reply(0, 10));
        Assert.Single(await ReadFramesAsync(1));

        _writer.WriteOptions = new WriteOptions(WriteFlags.BufferHint);
        await _writer.WriteAsync(Reply(1, 10));
        await _writer.WriteAsync(Reply(2, 10));
        Assert.False(_body.Reader.TryRead(out _));

        _writer.WriteOptions = null;
        await _writer.WriteAsync(Reply(3, 10));
        var frames = await ReadFramesAsync(3);
        Assert.Equal([1UL, 2UL, 3UL], frames.Select(f => f.Reply.Record.Offset));
        Assert.All(frames, f => Assert.Equal(0, f.Flag));
    }

    [Fact]
    public async Task A_flush_of_the_call_sends_what_hinted_replies_left()
    {
        _writer.WriteOptions = new WriteOptions(WriteFlags.BufferHint);
        for (ulong offset = 0; offset < 100; offset++)
        {
            await _writer.WriteAsync(Reply(offset, 10));
        }

        await _writer.FlushAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 100).Select(i => (ulong)i), (await ReadFramesAsync(100)).Select(f => f.Reply.Record.Offset));
    }

    private static ReceiveReply Reply(ulong offset, int valueBytes) => new()
    {
        Record = new ReceiveReply.Types.Record
        {
            Offset = offset,
            Key = ByteString.CopyFromUtf8("k"),
            Value = ByteString.CopyFrom(new byte[valueBytes]),
            Timestamp = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = 1_700_000_000, Nanos = 5 },
        },
    };

    private async Task<List<(byte Flag, ReceiveReply Reply)>> ReadFramesAsync(int count)
    {
        var frames = new List<(byte, ReceiveReply)>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (frames.Count < count)
        {
            var read = await _body.Reader.ReadAsync(deadline.Token);
            var buffer = read.Buffer;
            while (buffer.Length >= 5)
            {
                var prefix = buffer.Slice(0, 5).ToArray();
                var length = (int)BinaryPrimitives.ReadUInt32BigEndian(prefix.AsSpan(1));
                if (buffer.Length < 5 + length)
                {
                    break;
                }

                frames.Add((prefix[0], ReceiveReply.Parser.ParseFrom(buffer.Slice(5, length))));
                buffer = buffer.Slice(5 + length);
            }

            _body.Reader.AdvanceTo(buffer.Start, buffer.End);
        }

        return frames;
    }

    /// <summary>
    /// Stands in for grpc-dotnet's writer, writing into the same body: its frames carry a mark in the flag byte, so the
    /// order of both writers' frames shows.
    /// </summary>
    private sealed class MarkingWriter(PipeWriter body) : IServerStreamWriter<ReceiveReply>
    {
        public List<WriteOptions?> Options { get; } = [];

        public WriteOptions? WriteOptions { get; set; }

        public async Task WriteAsync(ReceiveReply message)
        {
            Options.Add(WriteOptions);
            var bytes = message.ToByteArray();
            var prefix = new byte[5];
            prefix[0] = GrpcDotnetMark;
            BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(1), (uint)bytes.Length);
            body.Write(prefix);
            body.Write(bytes);
            if (WriteOptions is null)
            {
                await body.FlushAsync();
            }
        }
    }
}
