namespace Liiklus.Storage.Cold;

/// <summary>A header as Kafka stores it: a name and raw bytes, where a null value is not an empty one.</summary>
public sealed record ColdHeader(string Name, byte[]? Value);
