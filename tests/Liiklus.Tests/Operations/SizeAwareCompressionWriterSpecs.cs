using Google.Protobuf;
using Grpc.Core;
using Liiklus.Api.Grpc;
using Liiklus.Api.Operations.Compression;
using Liiklus.Protocol;
using Liiklus.Storage.Records;
using Xunit;

namespace Liiklus.Tests.Operations;

/// <summary>
/// A record reply is judged small or not without sizing it where its payload alone decides: the judgement must still be
/// the reply's exact size against the bound, whatever the payload, offset and key around the bound.
/// </summary>
public sealed class SizeAwareCompressionWriterSpecs
{
    private const int MinCompressedBytes = 1024;

    [Theory]
    [InlineData(0L, false)]
    [InlineData(long.MaxValue, false)]
    [InlineData(long.MaxValue, true)]
    public async Task A_record_reply_goes_uncompressed_exactly_when_its_serialized_size_is_below_the_bound(long offset, bool keyed)
    {
        var written = new RecordingWriter();
        var writer = new SizeAwareCompressionWriter<ReceiveReply>(written, MinCompressedBytes);
        var time = DateTimeOffset.Parse("2026-12-07T04:30:15.1234567Z", System.Globalization.CultureInfo.InvariantCulture);
        for (var valueBytes = MinCompressedBytes - 120; valueBytes <= MinCompressedBytes + 8; valueBytes++)
        {
            var record = new StoredRecord(0, offset, keyed ? [1, 2, 3, 4, 5, 6, 7, 8] : null, new byte[valueBytes], [], time);
            var reply = ReplyMapping.ToReply(record, replay: true, ReceiveRequest.Types.ContentFormat.Binary, ReplyMapping.NewReusable());

            await writer.WriteAsync(reply);

            var uncompressed = (written.LastFlags & WriteFlags.NoCompress) != 0;
            Assert.True(
                uncompressed == reply.CalculateSize() < MinCompressedBytes,
                $"a {reply.CalculateSize()}-byte reply with a {valueBytes}-byte value was written {(uncompressed ? "uncompressed" : "compressible")}");
        }
    }

    private sealed class RecordingWriter : IServerStreamWriter<ReceiveReply>
    {
        public WriteOptions? WriteOptions { get; set; }

        public WriteFlags LastFlags { get; private set; }

        public Task WriteAsync(ReceiveReply message)
        {
            LastFlags = WriteOptions?.Flags ?? 0;
            return Task.CompletedTask;
        }
    }
}
