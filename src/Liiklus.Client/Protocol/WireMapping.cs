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

    /// <summary>
    /// Decodes the replies of one stream: the records of a stream mostly share their source and often their time,
    /// so the last of each is parsed once.
    /// </summary>
    internal sealed class Decoder
    {
        private string? _source;
        private Uri? _sourceUri;
        private string? _time;
        private DateTimeOffset? _parsedTime;

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

        public CloudEvent Event(Wire.LiiklusEvent e)
        {
            var cloudEvent = new CloudEvent(e.Id, e.Type, Source(e.Source))
            {
                Time = Time(e.Time),
                DataContentType = e.DataContentType.Length == 0 ? null : e.DataContentType,
                Data = e.Data.Memory,
            };
            return e.Extensions.Count == 0 ? cloudEvent : cloudEvent with { Extensions = new Dictionary<string, string>(e.Extensions) };
        }

        private LiiklusRecord FromEvent(string topic, int partition, Wire.ReceiveReply.Types.LiiklusEventRecord record)
        {
            var e = Event(record.Event);
            return new LiiklusRecord
            {
                Topic = topic,
                Partition = partition,
                Offset = record.Offset,
                Key = record.Key.Memory,
                Value = e.Data,
                Event = e,
                Timestamp = record.Timestamp?.ToDateTimeOffset() ?? default,
                IsReplay = record.Replay,
            };
        }

        private Uri Source(string source)
        {
            if (!ReferenceEquals(source, _source) && source != _source)
            {
                _sourceUri = new Uri(source, UriKind.RelativeOrAbsolute);
                _source = source;
            }

            return _sourceUri!;
        }

        private DateTimeOffset? Time(string time)
        {
            if (time.Length == 0)
            {
                return null;
            }

            if (time != _time)
            {
                _parsedTime = DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
                    ? parsed
                    : null;
                _time = time;
            }

            return _parsedTime;
        }
    }

    public static IReadOnlyDictionary<int, long> EndOffsets(Wire.GetEndOffsetsReply reply) =>
        reply.Offsets.ToDictionary(p => (int)p.Key, p => p.Value == NoRecord ? -1L : (long)p.Value);

    public static IReadOnlyDictionary<int, ulong> Offsets(Wire.GetOffsetsReply reply) =>
        reply.Offsets.ToDictionary(p => (int)p.Key, p => p.Value);
}
