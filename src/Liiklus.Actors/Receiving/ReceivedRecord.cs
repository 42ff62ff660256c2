using Liiklus.Storage.Records;

namespace Liiklus.Actors.Receiving;

/// <summary>
/// A record on its way to a Receive stream. <see cref="Replay"/> marks an offset that some version of the
/// group name has already acked, so re-processing code can skip side effects.
/// </summary>
public sealed record ReceivedRecord(StoredRecord Record, bool Replay);
