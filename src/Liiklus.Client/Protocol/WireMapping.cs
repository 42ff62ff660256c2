using System.Globalization;
using Google.Protobuf;
using Wire = Liiklus.Protocol;

namespace Liiklus.Client;

/// <summary>Between the typed public API and the protocol's messages.</summary>
internal static class WireMapping
{
    /// <summary>A partition with no record, as a <c>uint64</c> on the wire (-1).</summary>
    private const ulong NoRecord = ulong.MaxValue;

    public static Wire.LiiklusEvent ToWire(CloudEvent e)
    {
        var wire = new Wire.LiiklusEvent
        {
            Id = e.Id,
            Type = e.Type,
            Source = e.Source.OriginalString,
            Time = e.Time?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture) ?? "",
            DataContentType = e.DataContentType ?? "",
            Data = ByteString.CopyFrom(e.Data.Span),
        };
        foreach (var (name, value) in e.Extensions)
        {
            wire.Extensions[name] = value;
        }

        return wire;
    }

    /// <summary>A received event's attributes, from the attributes of its wire form.</summary>
    public static CloudEvent Event(Wire.LiiklusEvent e, StreamAttributes attributes)
    {
        var cloudEvent = new CloudEvent(e.Id, e.Type, attributes.Source)
        {
            Time = attributes.Time,
            DataContentType = e.DataContentType.Length == 0 ? null : e.DataContentType,
            Data = e.Data.Memory,
        };
        return e.Extensions.Count == 0 ? cloudEvent : cloudEvent with { Extensions = new Dictionary<string, string>(e.Extensions) };
    }

    /// <summary>
    /// An event's source and time as parsed, shared by the records of a stream that carry the same ones (never
    /// changed once made: records built on other threads read it safely).
    /// </summary>
    internal sealed record StreamAttributes(string SourceText, Uri Source, string TimeText, DateTimeOffset? Time);

    /// <summary>
    /// Decodes the replies of one stream: the records of a stream mostly share their source and often their time,
    /// so the last of each is parsed once. A CloudEvent record's event is built when the record's reader first asks
    /// for it; its source and time are parsed here, so a malformed one fails the stream as it always did.
    /// </summary>
    internal sealed class Decoder
    {
        private StreamAttributes? _last;

        public LiiklusRecord Record(string topic, int partition, Wire.ReceiveReply reply) => reply.ReplyCase switch
        {
            Wire.ReceiveReply.ReplyOneofCase.LiiklusEventRecord => FromEvent(topic, partition, reply.LiiklusEventRecord),
            Wire.ReceiveReply.ReplyOneofCase.Record => new LiiklusRecord
            {
                Topic = topic,
                Partition = partition,
                Offset = reply.Record.Offset,
                Key = reply.Record.Key.Memory,
                Value = reply.Record.Value.Memory,
                Timestamp = reply.Record.Timestamp?.ToDateTimeOffset() ?? default,
                IsReplay = reply.Record.Replay,
            },
            _ => throw new InvalidOperationException($"The gateway answered a Receive reply of an unknown kind ({reply.ReplyCase})"),
        };

        private LiiklusRecord FromEvent(string topic, int partition, Wire.ReceiveReply.Types.LiiklusEventRecord record)
        {
            var e = record.Event;
            var attributes = Attributes(e.Source, e.Time);
            if (e.Id.Length == 0 || e.Type.Length == 0)
            {
                // Refused now, as the event's constructor refuses it, rather than when a handler reads it.
                _ = Event(e, attributes);
            }

            return new LiiklusRecord(topic, partition, record, attributes);
        }

        private StreamAttributes Attributes(string source, string time)
        {
            var last = _last;
            if (last is not null && (ReferenceEquals(source, last.SourceText) || source == last.SourceText) && time == last.TimeText)
            {
                return last;
            }

            var sourceUri = last is not null && source == last.SourceText ? last.Source : new Uri(source, UriKind.RelativeOrAbsolute);
            var parsedTime = last is not null && time == last.TimeText ? last.Time : ParseTime(time);
            return _last = new StreamAttributes(source, sourceUri, time, parsedTime);
        }

        private static DateTimeOffset? ParseTime(string time) =>
            time.Length > 0 && DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
                ? parsed
                : null;
    }

    public static IReadOnlyDictionary<int, long> EndOffsets(Wire.GetEndOffsetsReply reply) =>
        reply.Offsets.ToDictionary(p => (int)p.Key, p => p.Value == NoRecord ? -1L : (long)p.Value);

    public static IReadOnlyDictionary<int, ulong> Offsets(Wire.GetOffsetsReply reply) =>
        reply.Offsets.ToDictionary(p => (int)p.Key, p => p.Value);
}
