namespace Liiklus.Client;

/// <summary>A stored record's header, as Browse reads it (CloudEvent attributes are <c>ce_*</c> headers).</summary>
/// <param name="Name">the header's name</param>
/// <param name="Value">its value</param>
public sealed record RecordHeader(string Name, ReadOnlyMemory<byte> Value);
