using Google.Protobuf.WellKnownTypes;
using Liiklus.Api.Grpc;
using Liiklus.Protocol;
using Liiklus.Storage.Records;
using Xunit;

namespace Liiklus.Tests.Api.Grpc;

/// <summary>A Receive call fills one reply again and again: each fill must be the record's reply alone.</summary>
public sealed class ReplyMappingSpecs
{
    private const ReceiveRequest.Types.ContentFormat Binary = ReceiveRequest.Types.ContentFormat.Binary;

    [Theory]
    [InlineData("2026-12-07T04:30:15.1234567Z")]
    [InlineData("1970-01-01T00:00:00Z")]
    [InlineData("1969-12-31T23:59:59.9Z")]
    [InlineData("1900-06-01T12:00:00.0000001Z")]
    public void A_reused_reply_carries_the_timestamp_a_new_one_would(string time)
    {
        var at = DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture);

        var reply = ReplyMapping.ToReply(new StoredRecord(0, 1, null, [1], [], at), false, Binary, ReplyMapping.NewReusable());

        Assert.Equal(Timestamp.FromDateTimeOffset(at), reply.Record.Timestamp);
    }

    [Fact]
    public void A_reused_reply_keeps_nothing_of_the_record_it_carried_before()
    {
        var reusable = ReplyMapping.NewReusable();
        var first = new StoredRecord(0, 7, [1, 2], [3, 4, 5], [], DateTimeOffset.UnixEpoch.AddDays(3));
        var replayed = ReplyMapping.ToReply(first, true, Binary, reusable);
        Assert.Equal(
            new ReceiveReply
            {
                Record = new ReceiveReply.Types.Record
                {
                    Offset = 7,
                    Key = Google.Protobuf.ByteString.CopyFrom(1, 2),
                    Value = Google.Protobuf.ByteString.CopyFrom(3, 4, 5),
                    Timestamp = Timestamp.FromDateTimeOffset(first.Timestamp),
                    Replay = true,
                },
            },
            replayed);

        var second = new StoredRecord(0, 8, null, [9], [], DateTimeOffset.UnixEpoch.AddDays(1));
        var reply = ReplyMapping.ToReply(second, false, Binary, reusable);

        var fresh = new ReceiveReply
        {
            Record = new ReceiveReply.Types.Record
            {
                Offset = 8,
                Value = Google.Protobuf.ByteString.CopyFrom(9),
                Timestamp = Timestamp.FromDateTimeOffset(second.Timestamp),
            },
        };
        Assert.Same(reusable, reply);
        Assert.Equal(fresh, reply);
    }
}
