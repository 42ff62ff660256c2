using Liiklus.Storage.Records;

namespace Liiklus.Storage.Cold.Reading;

/// <summary>A block as readers take it: its records ready to stream, and what they weigh in the cache.</summary>
public sealed record CachedBlock(StoredRecord[] Records, long Bytes);
