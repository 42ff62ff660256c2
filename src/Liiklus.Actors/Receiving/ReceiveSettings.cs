namespace Liiklus.Actors.Receiving;

/// <param name="ClaimTimeout">how long a Receive waits for its group coordinator before answering UNAVAILABLE</param>
/// <param name="StreamBufferBytes">
/// bytes of records one Receive stream holds between the storage and its client (batches, the hand-over to the call,
/// unflushed writes); at least one chunk of records whatever its size
/// </param>
/// <param name="RestAfter">
/// how long a stream at the tail of its partition waits for records before it comes to rest: it lets go of its stream
/// graph and waits on the storage's wake-on-append hook instead, then starts a new graph where it stopped when records
/// come; <see cref="DefaultRestAfter"/> when not given
/// </param>
public sealed record ReceiveSettings(TimeSpan ClaimTimeout, long StreamBufferBytes, TimeSpan? RestAfter = null)
{
    /// <summary>
    /// Long enough that a stream whose records keep coming keeps its graph, short enough that tens of thousands of idle
    /// streams hold none.
    /// </summary>
    public static readonly TimeSpan DefaultRestAfter = TimeSpan.FromSeconds(1);

    public TimeSpan RestAfterOrDefault => RestAfter ?? DefaultRestAfter;
}
