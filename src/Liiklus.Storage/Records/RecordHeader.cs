namespace Liiklus.Storage.Records;

/// <summary>A header as Kafka stores it: a name and raw bytes.</summary>
public sealed record RecordHeader(string Name, byte[] Value);
