namespace Liiklus.Cli.Output;

/// <summary>A record as the record verbs print it, whether consumed through a group or browsed.</summary>
/// <param name="Key">null for a record without a key</param>
/// <param name="Attributes">what %h prints: a consumed record's CloudEvent extensions, a browsed record's headers</param>
internal sealed record RecordView(
    string Topic,
    int Partition,
    ulong Offset,
    DateTimeOffset Timestamp,
    ReadOnlyMemory<byte>? Key,
    ReadOnlyMemory<byte> Value,
    IReadOnlyList<KeyValuePair<string, string>> Attributes);
