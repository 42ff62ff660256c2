namespace Liiklus.Plugins;

/// <summary>
/// A record as a publisher hands it over, or as it is delivered: a legacy value, or a CloudEvent whose data is
/// <see cref="Value"/> and whose attributes are <see cref="Event"/>. The bytes are read-only views: a plugin that
/// changes a record answers a new envelope (<c>envelope with { Value = ... }</c>) instead of writing into them.
/// </summary>
/// <param name="Topic">where the record is published or was read from</param>
/// <param name="Key">the record's key; empty when it has none</param>
/// <param name="Value">the legacy value, or the event's data</param>
/// <param name="Event">the event's attributes; null for a legacy value</param>
public sealed record Envelope(string Topic, ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value, EventAttributes? Event);
