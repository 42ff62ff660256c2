using System.Runtime.InteropServices;
using Google.Protobuf;
using Liiklus.Actors.Receiving;
using Liiklus.Api.Events;
using Liiklus.Plugins;
using Liiklus.Protocol;
using Liiklus.Storage.Records;

namespace Liiklus.Api.Plugins;

/// <summary>
/// The gateway's records to the plugins' own types and back. Payload bytes are shared, never copied, on the way
/// to a plugin: plugins see them read-only.
/// </summary>
public static class EnvelopeMapping
{
    /// <summary>A validated publish as pre-processors see it.</summary>
    public static Envelope ToEnvelope(string topic, PublishRequest request, OutgoingRecord record) =>
        new(
            topic,
            record.Key ?? ReadOnlyMemory<byte>.Empty,
            record.Value,
            request.EventCase == PublishRequest.EventOneofCase.LiiklusEvent ? Attributes(request.LiiklusEvent) : null);

    /// <summary>A pre-processor's envelope as a publish request, to be validated as a client's would be.</summary>
    public static PublishRequest ToPublishRequest(Envelope envelope)
    {
        var request = new PublishRequest { Topic = envelope.Topic, Key = UnsafeByteOperations.UnsafeWrap(envelope.Key) };
        if (envelope.Event is not { } attributes)
        {
#pragma warning disable CS0612 // the legacy raw value is still part of the contract
            request.Value = UnsafeByteOperations.UnsafeWrap(envelope.Value);
#pragma warning restore CS0612
            return request;
        }

        request.LiiklusEvent = new LiiklusEvent
        {
            Id = attributes.Id,
            Type = attributes.Type,
            Source = attributes.Source,
            Time = attributes.Time ?? "",
            DataContentType = attributes.DataContentType ?? "",
            Data = UnsafeByteOperations.UnsafeWrap(envelope.Value),
        };
        foreach (var (name, value) in attributes.Extensions)
        {
            request.LiiklusEvent.Extensions[name] = value;
        }

        return request;
    }

    /// <summary>A stored record as post-processors see it.</summary>
    public static DeliveredRecord ToDeliveredRecord(string topic, StoredRecord record)
    {
        var cloudEvent = CloudEvent.FromRecord(record);
        var attributes = cloudEvent is null
            ? null
            : new EventAttributes(cloudEvent.Id, cloudEvent.Type, cloudEvent.Source, cloudEvent.Time, cloudEvent.DataContentType, cloudEvent.Extensions);
        return new DeliveredRecord(
            new Envelope(topic, record.Key ?? ReadOnlyMemory<byte>.Empty, record.Value, attributes),
            record.Partition,
            record.Offset,
            record.Timestamp);
    }

    /// <summary>The record delivered in place of <paramref name="received"/>: same position, timestamp and replay mark.</summary>
    public static ReceivedRecord ToReceivedRecord(ReceivedRecord received, Envelope envelope)
    {
        var stored = received.Record;
        var headers = envelope.Event is { } e
            ? new CloudEvent(e.Id, e.Type, e.Source, e.Time, e.DataContentType, Bytes(envelope.Value), e.Extensions).ToHeaders()
            : [];
        var replaced = new StoredRecord(
            stored.Partition,
            stored.Offset,
            envelope.Key.IsEmpty ? null : Bytes(envelope.Key),
            Bytes(envelope.Value),
            headers,
            stored.Timestamp);
        return received with { Record = replaced };
    }

    private static EventAttributes Attributes(LiiklusEvent e) =>
        new(
            e.Id,
            e.Type,
            e.Source,
            e.Time.Length > 0 ? e.Time : null,
            e.DataContentType.Length > 0 ? e.DataContentType : null,
            e.Extensions);

    // The whole of an array is used as it is; a slice or a plugin's own memory is copied once.
    private static byte[] Bytes(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetArray(memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : memory.ToArray();
}
