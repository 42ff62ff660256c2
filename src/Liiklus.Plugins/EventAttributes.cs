namespace Liiklus.Plugins;

/// <summary>The attributes of a CloudEvents 1.0 event (its data travels as the envelope's value).</summary>
/// <param name="Id">the event's id, unique for its source</param>
/// <param name="Type">the event's type, e.g. <c>com.example.order.created</c></param>
/// <param name="Source">where the event happened, e.g. <c>/orders</c></param>
/// <param name="Time">RFC 3339 timestamp, or null</param>
/// <param name="DataContentType">media type of the data, e.g. <c>application/json</c>, or null</param>
/// <param name="Extensions">extension attributes: lower-case letters and digits as names</param>
public sealed record EventAttributes(
    string Id,
    string Type,
    string Source,
    string? Time,
    string? DataContentType,
    IReadOnlyDictionary<string, string> Extensions);
