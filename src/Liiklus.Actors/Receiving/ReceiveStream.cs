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
    private readonly Action _end;

    internal ReceiveStream(ChannelReader<ReceivedBatch> batches, StreamByteAllowance allowance, Action end)
    {
        Batches = batches;
        _allowance = allowance;
        _end = end;
    }

    public ChannelReader<ReceivedBatch> Batches { get; }

    /// <summary>The batch was written to the client: the stream may take that many bytes again.</summary>
    public void Delivered(ReceivedBatch batch) => _allowance.Release(batch.Bytes);

    /// <summary>The call ended (client gone, gateway stopping or the stream completed): the core stops and lets go of its bytes.</summary>
    public void Dispose()
    {
        _end();
        _allowance.Close();
    }
}
