using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Liiklus.Client;

/// <summary>
/// One assignment's Receive, its read-ahead buffer and its acknowledgements. Records are taken in runs: those the
/// Receive had at hand without waiting. A consumer's handler handles each run on the Receive loop itself
/// (<see cref="HandleWith"/>); a partition stream reads the runs from the buffer, its reader waking once per run.
/// Ownership ends once: when the gateway ends the Receive (revoked), when a new assignment replaces it, or when the
/// consumer stops; the records handled until then are acknowledged at that moment, and nothing is acknowledged
/// afterwards.
/// </summary>
internal sealed class PartitionPump
{
    private readonly LiiklusClient _client;
    private readonly LiiklusConsumerOptions _options;
    private readonly ConsumerTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly Channel<IReadOnlyList<LiiklusRecord>> _buffer;
    private readonly int _maxRun;
    private readonly CancellationTokenSource _owned = new();
    private readonly CancellationTokenSource _receiveStop;
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _ending;
    private int _batchFlushing;
    private bool _mayAck = true;

    public PartitionPump(
        LiiklusClient client,
        PartitionAssignment assignment,
        AckTracker acks,
        LiiklusConsumerOptions options,
        ConsumerTelemetry telemetry,
        ILogger logger,
        CancellationToken connection)
    {
        _client = client;
        Assignment = assignment;
        Acks = acks;
        _options = options;
        _telemetry = telemetry;
        _logger = logger;
        _receiveStop = CancellationTokenSource.CreateLinkedTokenSource(connection);
        // One run waits while the previous one is handled: at most PrefetchPerPartition records read ahead.
        _maxRun = options.PrefetchPerPartition;
        _buffer = Channel.CreateBounded<IReadOnlyList<LiiklusRecord>>(new BoundedChannelOptions(1)
        {
            SingleWriter = true,
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public PartitionAssignment Assignment { get; }

    public AckTracker Acks { get; }

    /// <summary>Runs of records in offset order, each at most <see cref="LiiklusConsumerOptions.PrefetchPerPartition"/> long.</summary>
    public ChannelReader<IReadOnlyList<LiiklusRecord>> Runs => _buffer.Reader;

    /// <summary>Cancelled when this pump no longer owns its partition.</summary>
    public CancellationToken Owned => _owned.Token;

    /// <summary>Completes once ownership ended and the final acknowledgement was tried.</summary>
    public Task Ended => _ended.Task;

    /// <summary>Completes once no record of this assignment is handled any more, when the consumer runs a handler.</summary>
    public Task Handling => _handling?.Done ?? Task.CompletedTask;

    private InlineHandling? _handling;

    /// <summary>
    /// Handles the records with <paramref name="processor"/> on the Receive loop, not through the buffer, once
    /// <paramref name="previous"/> (the handling of the assignment this one replaces) finished; call before <see cref="Start"/>.
    /// </summary>
    public void HandleWith(RecordProcessor processor, Task previous, CancellationToken stopping) =>
        _handling = new InlineHandling(processor, this, previous, stopping);

    /// <param name="handoff">true for a partition gained from another consumer: wait for its last acknowledgement</param>
    public void Start(bool handoff)
    {
        _ = ReceiveLoopAsync(handoff ? HandedOverPositionAsync() : Task.FromResult<ulong?>(null));
        _ = FlushLoopAsync();
    }

    /// <summary>Counts a partition stream's record as handled; acknowledges once enough are, before it returns.</summary>
    public ValueTask HandledAsync(ulong offset)
    {
        return Acks.Handled(offset) >= _options.AckBatchSize ? new ValueTask(FlushAsync(AckReason.Batch)) : ValueTask.CompletedTask;
    }

    /// <summary>
    /// Counts the handler's next record as handled; once enough are, acknowledges them in the background, one batch
    /// acknowledgement at a time: the handler goes on meanwhile, and a flush after it (final, interval) waits for it.
    /// </summary>
    public void HandledInOrder(ulong offset)
    {
        if (Acks.HandledInOrder(offset) >= _options.AckBatchSize && Interlocked.CompareExchange(ref _batchFlushing, 1, 0) == 0)
        {
            _ = FlushBatchAsync();
        }
    }

    /// <summary>Acknowledges the watermark now; false when it could not (and the partition is still owned).</summary>
    public async Task<bool> FlushAsync(AckReason reason)
    {
        var final = reason == AckReason.Final;
        using var timeout = new CancellationTokenSource(final ? _options.FinalAckTimeout : Timeout.InfiniteTimeSpan);
        await _flushGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (!_mayAck)
            {
                return false;
            }

            if (!Acks.TryTakeUnflushed(out var offset))
            {
                return true;
            }

            await _client.AckAsync(Assignment.Group, Assignment.Partition, offset, timeout.Token).ConfigureAwait(false);
            Acks.MarkFlushed(offset);
            _telemetry.AckFlushed(Assignment.Group, reason);
            return true;
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException)
        {
            _logger.LogWarning(
                "Acknowledging partition {Partition} of topic {Topic} for group {Group} failed: {Error}",
                Assignment.Partition,
                Assignment.Group.Topic,
                Assignment.Group.Name,
                e.Message);
            return false;
        }
        finally
        {
            if (final)
            {
                _mayAck = false;
            }

            _flushGate.Release();
        }
    }

    /// <summary>Ends ownership: stops handling after the record in hand, acknowledges what was handled, closes the Receive.</summary>
    public async Task EndOwnershipAsync()
    {
        if (Interlocked.Exchange(ref _ending, 1) == 1)
        {
            await _ended.Task.ConfigureAwait(false);
            return;
        }

        try
        {
            await _owned.CancelAsync().ConfigureAwait(false);
            await FlushAsync(AckReason.Final).ConfigureAwait(false);
            await _receiveStop.CancelAsync().ConfigureAwait(false);
            _buffer.Writer.TryComplete();
        }
        finally
        {
            _ended.TrySetResult();
        }
    }

    private async Task ReceiveLoopAsync(Task<ulong?> handedOver)
    {
        try
        {
            ulong? previousOwnerAcked = null;
            var first = true;
            var run = new List<LiiklusRecord>();
            // False once the handler stopped (revoked, replaced or stopping): what still comes is passed over until
            // whoever stopped it closes the Receive.
            var handing = true;
            // The call read directly, as LiiklusClient.ReceiveAsync does but without its enumerator in between.
            var lastKnown = Acks.Watermark;
            using var call = _client.OpenReceive(Assignment, lastKnown, _receiveStop.Token);
            var replies = call.ResponseStream;
            var decoder = new WireMapping.Decoder();
            while (true)
            {
                // The call's token ends the read: none per read, which would register on every record.
                var next = replies.MoveNext(CancellationToken.None);
                if (!next.IsCompleted && run.Count > 0)
                {
                    // The Receive has nothing more at hand: the handler side gets what it has rather than wait.
                    handing = await HandOverAsync(run).ConfigureAwait(false);
                    run = NextRun(run);
                }

                if (!await next.ConfigureAwait(false))
                {
                    break;
                }

                var record = decoder.Record(Assignment.Group.Topic, Assignment.Partition, replies.Current);
                if (record.Offset <= lastKnown)
                {
                    continue;
                }

                if (first)
                {
                    first = false;
                    previousOwnerAcked = await handedOver.ConfigureAwait(false);
                }

                if (!handing || record.Offset <= previousOwnerAcked)
                {
                    continue;
                }

                run.Add(record);
                if (run.Count >= _maxRun)
                {
                    handing = await HandOverAsync(run).ConfigureAwait(false);
                    run = NextRun(run);
                }
            }

            _logger.LogInformation(
                "Partition {Partition} of topic {Topic} was revoked from group {Group}",
                Assignment.Partition,
                Assignment.Group.Topic,
                Assignment.Group.Name);
        }
        catch (Exception) when (_receiveStop.IsCancellationRequested)
        {
            // Closed by this side: ownership already ended.
        }
        catch (Exception e)
        {
            _logger.LogWarning(
                "Receive of partition {Partition} of topic {Topic} for group {Group} failed: {Error}",
                Assignment.Partition,
                Assignment.Group.Topic,
                Assignment.Group.Name,
                e.Message);
        }

        _handling?.End();
        await EndOwnershipAsync().ConfigureAwait(false);
    }

    /// <returns>false once the handler stopped</returns>
    private ValueTask<bool> HandOverAsync(List<LiiklusRecord> run) =>
        // Handled in order: the tracker needs no queue of what was delivered.
        _handling is not null ? _handling.HandleAsync(run) : BufferAsync(run);

    private async ValueTask<bool> BufferAsync(List<LiiklusRecord> run)
    {
        Acks.Delivered(run);
        if (!_buffer.Writer.TryWrite(run))
        {
            await _buffer.Writer.WriteAsync(run, _receiveStop.Token).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>A handler is done with a run once it returns; the buffer's reader keeps the run it was given.</summary>
    private List<LiiklusRecord> NextRun(List<LiiklusRecord> handedOver)
    {
        if (_handling is null)
        {
            return [];
        }

        handedOver.Clear();
        return handedOver;
    }

    /// <summary>
    /// Acknowledges the handler's batch, and again while a whole batch was handled during the acknowledgement: the
    /// handler may have stopped meanwhile, and its records would otherwise wait for the interval.
    /// </summary>
    private async Task FlushBatchAsync()
    {
        while (true)
        {
            var flushed = false;
            try
            {
                flushed = await FlushAsync(AckReason.Batch).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Nobody awaits this flush: what it could not acknowledge goes with the next one.
                _logger.LogWarning(
                    "Acknowledging partition {Partition} of topic {Topic} for group {Group} failed: {Error}",
                    Assignment.Partition,
                    Assignment.Group.Topic,
                    Assignment.Group.Name,
                    e.Message);
            }

            Volatile.Write(ref _batchFlushing, 0);
            // A failed one is tried again by the next record handled (or the interval), not at once.
            if (!flushed || Acks.Pending < _options.AckBatchSize || Interlocked.CompareExchange(ref _batchFlushing, 1, 0) != 0)
            {
                return;
            }
        }
    }

    /// <summary>
    /// The position the previous owner acknowledged when its partition was revoked, read once that acknowledgement
    /// had time to arrive: the Receive started at the position stored when it was opened.
    /// </summary>
    private async Task<ulong?> HandedOverPositionAsync()
    {
        try
        {
            await Task.Delay(_options.HandoffDelay, _receiveStop.Token).ConfigureAwait(false);
            var positions = await _client.GetOffsetsAsync(Assignment.Group, _receiveStop.Token).ConfigureAwait(false);
            return positions.TryGetValue(Assignment.Partition, out var offset) ? offset : null;
        }
        catch (RpcException e)
        {
            _logger.LogWarning(
                "Reading the handed-over position of partition {Partition} of topic {Topic} for group {Group} failed: {Error}",
                Assignment.Partition,
                Assignment.Group.Topic,
                Assignment.Group.Name,
                e.Status.Detail);
            return null;
        }
    }

    /// <summary>
    /// Acknowledges handled records that waited <see cref="LiiklusConsumerOptions.AckInterval"/>: a partition whose
    /// batches fill sooner is acknowledged by count alone, so a busy one writes one position per batch.
    /// </summary>
    private async Task FlushLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, _options.AckInterval.Ticks / 4)));
        try
        {
            while (await timer.WaitForNextTickAsync(Owned).ConfigureAwait(false))
            {
                if (Acks.PendingFor >= _options.AckInterval)
                {
                    await FlushAsync(AckReason.Interval).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Ownership ended; its own flush is the last one.
        }
    }
}
