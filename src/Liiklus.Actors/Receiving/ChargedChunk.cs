using Liiklus.Storage.Records;

namespace Liiklus.Actors.Receiving;

/// <summary>A chunk of records let through a <see cref="ByteAllowanceGate"/>, with the bytes it was charged.</summary>
internal sealed record ChargedChunk(IReadOnlyList<StoredRecord> Records, long Bytes);
