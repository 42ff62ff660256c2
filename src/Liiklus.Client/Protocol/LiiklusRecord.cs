using System.Diagnostics.CodeAnalysis;
using Wire = Liiklus.Protocol;

namespace Liiklus.Client;

/// <summary>A received record.</summary>
public sealed record LiiklusRecord
{
    // A received record's CloudEvent and timestamp are built from the reply when first read: a handler that looks at
    // the offset, key or value only never pays for them. Set through an initializer, they are plain values.
    private CloudEvent? _event;
    private Wire.LiiklusEvent? _wireEvent;
    private WireMapping.StreamAttributes? _attributes;
    private DateTimeOffset _timestamp;
    private Google.Protobuf.WellKnownTypes.Timestamp? _wireTimestamp;

    /// <summary>A record with the values set by an object initializer.</summary>
    public LiiklusRecord()
    {
    }

    /// <summary>A copy: it shares the original's event, built now if it was not yet.</summary>
    private LiiklusRecord(LiiklusRecord original)
    {
        Topic = original.Topic;
        Partition = original.Partition;
        Offset = original.Offset;
        Key = original.Key;
        Value = original.Value;
        _event = original.Event;
        _timestamp = original._timestamp;
        _wireTimestamp = original._wireTimestamp;
        IsReplay = original.IsReplay;
    }

    /// <summary>A received CloudEvent record, its event and timestamp read from <paramref name="reply"/> when asked for.</summary>
    [SetsRequiredMembers]
    internal LiiklusRecord(
        string topic, int partition, Wire.ReceiveReply.Types.LiiklusEventRecord reply, WireMapping.StreamAttributes attributes)
    {
        Topic = topic;
        Partition = partition;
        Offset = reply.Offset;
        Key = reply.Key.Memory;
        Value = reply.Event.Data.Memory;
        _wireEvent = reply.Event;
        _attributes = attributes;
        _wireTimestamp = reply.Timestamp;
        IsReplay = reply.Replay;
    }

    /// <summary>The topic it was read from.</summary>
    public required string Topic { get; init; }

    /// <summary>The partition it was read from.</summary>
    public required int Partition { get; init; }

    /// <summary>Its offset in the partition.</summary>
    public required ulong Offset { get; init; }

    /// <summary>The record's key; empty when it had none.</summary>
    public ReadOnlyMemory<byte> Key { get; init; }

    /// <summary>The record's value: the event's data when <see cref="Event"/> is set.</summary>
    public ReadOnlyMemory<byte> Value { get; init; }

    /// <summary>The CloudEvent it was published as; null for a record published without one.</summary>
    public CloudEvent? Event
    {
        get => _event ?? (_wireEvent is null ? null : BuildEvent());
        init
        {
            _event = value;
            _wireEvent = null;
            _attributes = null;
        }
    }

    /// <summary>When the record was stored.</summary>
    public DateTimeOffset Timestamp
    {
        get => _wireTimestamp?.ToDateTimeOffset() ?? _timestamp;
        init
        {
            _timestamp = value;
            _wireTimestamp = null;
        }
    }

    /// <summary>
    /// True when some version of the group has already acknowledged this offset: a re-processing run can skip
    /// side effects.
    /// </summary>
    public bool IsReplay { get; init; }

    /// <summary>Equal when every value is, the event compared by its attributes and data.</summary>
    public bool Equals(LiiklusRecord? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Topic == other.Topic
            && Partition == other.Partition
            && Offset == other.Offset
            && Key.Equals(other.Key)
            && Value.Equals(other.Value)
            && EqualityComparer<CloudEvent?>.Default.Equals(Event, other.Event)
            && Timestamp == other.Timestamp
            && IsReplay == other.IsReplay);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Topic, Partition, Offset, Key, Value, Event, Timestamp, IsReplay);

    /// <summary>Built once, whichever thread asks first: every reader and every copy sees the same event.</summary>
    private CloudEvent BuildEvent()
    {
        var built = WireMapping.Event(_wireEvent!, _attributes!);
        return Interlocked.CompareExchange(ref _event, built, null) ?? built;
    }
}
