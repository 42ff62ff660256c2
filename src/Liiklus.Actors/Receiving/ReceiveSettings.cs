namespace Liiklus.Actors.Receiving;

/// <param name="ClaimTimeout">how long a Receive waits for its group coordinator before answering UNAVAILABLE</param>
/// <param name="StreamBufferBytes">
/// bytes of records one Receive stream holds between the storage and its client (batches, the hand-over to the call,
/// unflushed writes); at least one chunk of records whatever its size
/// </param>
public sealed record ReceiveSettings(TimeSpan ClaimTimeout, long StreamBufferBytes);
