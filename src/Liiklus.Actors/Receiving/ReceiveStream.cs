using System.Threading.Channels;

namespace Liiklus.Actors.Receiving;

/// <summary>
/// What a Receive call drains: batches of its partition's records, until the core completes the channel (normally on
/// revocation, or with the exception that ends the call). The call gives each batch's bytes back once written and
/// ends the stream when it ends itself.
/// </summary>
public sealed class ReceiveStream : IDisposable
{
    private readonly StreamByteAllowance _allowance;
    private readonly DeliveryWatermark _watermark;
    private readonly Action _end;

    internal ReceiveStream(ChannelReader<ReceivedBatch> batches, StreamByteAllowance allowance, DeliveryWatermark watermark, Action end)
    {
        Batches = batches;
        _allowance = allowance;
        _watermark = watermark;
        _end = end;
    }

    public ChannelReader<ReceivedBatch> Batches { get; }

    /// <summary>
    /// The batch was written to the client: the stream may take that many bytes again, and acks up to its last offset
    /// may come from this stream (see the group coordinator's reset fencing).
    /// </summary>
    public void Delivered(ReceivedBatch batch)
    {
        _watermark.Delivered(batch);
        _allowance.Release(batch.Bytes);
    }

    /// <summary>The call ended (client gone, gateway stopping or the stream completed): the core stops and lets go of its bytes.</summary>
    public void Dispose()
    {
        _end();
        _allowance.Close();
    }
}
