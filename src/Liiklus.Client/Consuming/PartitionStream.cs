using System.Runtime.CompilerServices;

namespace Liiklus.Client;

/// <summary>
/// One owned partition's records, for those who write their own loop: read them in order, mark each handled
/// (at-least-once) and the consumer acknowledges in batches. Ends when the partition is revoked, replaced by a new
/// assignment (which comes as a new stream) or the consumer stops.
/// </summary>
public sealed class PartitionStream
{
    private readonly PartitionPump _pump;
    private readonly AckMode _ackMode;

    internal PartitionStream(PartitionPump pump, AckMode ackMode)
    {
        _pump = pump;
        _ackMode = ackMode;
    }

    /// <summary>The assignment this stream reads.</summary>
    public PartitionAssignment Assignment => _pump.Assignment;

    /// <summary>The partition.</summary>
    public int Partition => _pump.Assignment.Partition;

    /// <summary>Cancelled when this stream no longer owns its partition: stop handling its records.</summary>
    public CancellationToken Revoked => _pump.Owned;

    /// <summary>
    /// The partition's records in offset order. In <see cref="AckMode.AtMostOnce"/> each record is acknowledged
    /// before it is returned; a record whose acknowledgement failed ends the stream.
    /// </summary>
    public async IAsyncEnumerable<LiiklusRecord> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _pump.Owned);
        while (true)
        {
            IReadOnlyList<LiiklusRecord> run;
            try
            {
                if (!_pump.Runs.TryRead(out run!))
                {
                    if (!await _pump.Runs.WaitToReadAsync(linked.Token).ConfigureAwait(false))
                    {
                        yield break;
                    }

                    continue;
                }
            }
            catch (OperationCanceledException) when (_pump.Owned.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                yield break;
            }

            foreach (var record in run)
            {
                if (_ackMode == AckMode.AtMostOnce)
                {
                    _pump.Acks.Handled(record.Offset);
                    if (!await _pump.FlushAsync(AckReason.Batch).ConfigureAwait(false))
                    {
                        yield break;
                    }
                }

                yield return record;
            }
        }
    }

    /// <summary>
    /// Counts <paramref name="record"/> as handled (at-least-once): the position moves once every earlier record
    /// of the stream is handled too. Nothing is acknowledged once the stream was revoked.
    /// </summary>
    public ValueTask MarkHandledAsync(LiiklusRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _ackMode == AckMode.AtLeastOnce ? _pump.HandledAsync(record.Offset) : ValueTask.CompletedTask;
    }
}
