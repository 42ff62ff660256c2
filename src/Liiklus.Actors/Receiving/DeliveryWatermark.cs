namespace Liiklus.Actors.Receiving;

/// <summary>
/// The highest offset a Receive call has written to its client (flushed, so the client may have it): the call raises
/// it, the stream's actor reads it when the group's coordinator asks whether an ack could come from this stream.
/// </summary>
internal sealed class DeliveryWatermark
{
    private long _highest = -1;

    /// <summary>-1 until a record was delivered.</summary>
    public long Highest => Interlocked.Read(ref _highest);

    public void Delivered(ReceivedBatch batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var offset = batch.Last.Offset;
        var seen = Interlocked.Read(ref _highest);
        while (offset > seen)
        {
            var before = Interlocked.CompareExchange(ref _highest, offset, seen);
            if (before == seen)
            {
                return;
            }

            seen = before;
        }
    }
}
