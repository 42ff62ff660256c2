using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Liiklus.Client;

/// <summary>
/// Runs a handler over one assignment's records in order: retries, dead letters and the acknowledgement before
/// (at-most-once) or after (at-least-once) handling.
/// </summary>
internal sealed class RecordProcessor(
    LiiklusClient client,
    IRecordHandler handler,
    LiiklusConsumerOptions options,
    HandlingSlots slots,
    ConsumerTelemetry telemetry,
    ILogger logger)
{
    public HandlingSlots Slots => slots;

    /// <summary>
    /// Handles a run of one assignment's records in order, on the caller's thread as long as nothing waits;
    /// <paramref name="owned"/> is cancelled when the assignment ended or the consumer stops.
    /// </summary>
    /// <returns>false once the assignment ended, the consumer stops or a record could not be finished: handle no more</returns>
    public ValueTask<bool> HandleRunAsync(
        PartitionPump pump, List<LiiklusRecord> run, RecordContext firstAttempt, HandlingPermit permit, CancellationToken owned, CancellationToken stopping) =>
        options.AckMode == AckMode.AtLeastOnce
            ? HandleInOrder(pump, run, firstAttempt, permit, owned, stopping)
            : HandleAckingAheadAsync(pump, run, firstAttempt, permit, owned, stopping);

    /// <summary>
    /// At-least-once: each record is counted handled once its handler succeeded. A handler that finishes a record at
    /// once, with success or skip, costs no state machine, no wait and no acknowledgement on this thread; the first
    /// record that does not goes the whole way (retries, dead letter), and so do the rest of the run.
    /// </summary>
    private ValueTask<bool> HandleInOrder(
        PartitionPump pump, List<LiiklusRecord> run, RecordContext firstAttempt, HandlingPermit permit, CancellationToken owned, CancellationToken stopping)
    {
        var group = pump.Assignment.Group;
        for (var i = 0; i < run.Count; i++)
        {
            if (owned.IsCancellationRequested)
            {
                return new ValueTask<bool>(false);
            }

            // Spans are made around the handler's call on the whole way only.
            if (ConsumerTelemetry.Tracing || !permit.TryTake())
            {
                return HandleRestAsync(pump, run, i, null, firstAttempt, permit, owned, stopping);
            }

            var record = run[i];
            ValueTask<HandleResult> handling;
            try
            {
                handling = handler.HandleAsync(record, firstAttempt, stopping);
            }
            catch (Exception e)
            {
                handling = ValueTask.FromException<HandleResult>(e);
            }

            if (!handling.IsCompletedSuccessfully)
            {
                return HandleRestAsync(pump, run, i, handling, firstAttempt, permit, owned, stopping);
            }

            var result = handling.Result;
            if (result?.Outcome is not (HandleOutcome.Success or HandleOutcome.Skip))
            {
                return HandleRestAsync(pump, run, i, new ValueTask<HandleResult>(result!), firstAttempt, permit, owned, stopping);
            }

            permit.Release();
            telemetry.Handled(group, result.Outcome);
            pump.HandledInOrder(record.Offset);
        }

        return new ValueTask<bool>(!owned.IsCancellationRequested);
    }

    /// <summary>The run from <paramref name="from"/> on, whose handler's first attempt may have started (permit held).</summary>
    private async ValueTask<bool> HandleRestAsync(
        PartitionPump pump,
        List<LiiklusRecord> run,
        int from,
        ValueTask<HandleResult>? started,
        RecordContext firstAttempt,
        HandlingPermit permit,
        CancellationToken owned,
        CancellationToken stopping)
    {
        try
        {
            for (var i = from; i < run.Count; i++)
            {
                var record = run[i];
                // A record whose handler was called is finished, whatever happened meanwhile.
                if (started is null && owned.IsCancellationRequested)
                {
                    return false;
                }

                // Held while the record is handled only: a loop waiting for its Receive or for an ack holds none.
                await permit.TakeAsync(owned).ConfigureAwait(false);
                try
                {
                    if (!await ProcessAsync(pump, record, firstAttempt, permit, owned, stopping, started).ConfigureAwait(false))
                    {
                        return false;
                    }
                }
                finally
                {
                    started = null;
                    permit.Release();
                }

                pump.HandledInOrder(record.Offset);
            }

            return !owned.IsCancellationRequested;
        }
        catch (OperationCanceledException) when (owned.IsCancellationRequested)
        {
            // Revoked, replaced or stopping: the record in hand was finished or given up.
            return false;
        }
    }

    /// <summary>At-most-once: a batch of records is acknowledged before any of them is handled.</summary>
    private async ValueTask<bool> HandleAckingAheadAsync(
        PartitionPump pump, List<LiiklusRecord> run, RecordContext firstAttempt, HandlingPermit permit, CancellationToken owned, CancellationToken stopping)
    {
        try
        {
            // Acknowledges ahead at most a batch of records at a time.
            for (var start = 0; start < run.Count; start += options.AckBatchSize)
            {
                var end = Math.Min(run.Count, start + options.AckBatchSize);
                if (!await AckAheadAsync(pump, run, start, end, owned).ConfigureAwait(false))
                {
                    return false;
                }

                for (var i = start; i < end; i++)
                {
                    var record = run[i];
                    if (owned.IsCancellationRequested)
                    {
                        return false;
                    }

                    await permit.TakeAsync(owned).ConfigureAwait(false);
                    try
                    {
                        if (!await ProcessAsync(pump, record, firstAttempt, permit, owned, stopping, null).ConfigureAwait(false))
                        {
                            return false;
                        }
                    }
                    finally
                    {
                        permit.Release();
                    }
                }
            }

            return !owned.IsCancellationRequested;
        }
        catch (OperationCanceledException) when (owned.IsCancellationRequested)
        {
            // Revoked, replaced or stopping: the record in hand was finished or given up.
            return false;
        }
    }

    private async Task<bool> AckAheadAsync(PartitionPump pump, IReadOnlyList<LiiklusRecord> run, int start, int end, CancellationToken owned)
    {
        for (var i = start; i < end; i++)
        {
            pump.Acks.HandledInOrder(run[i].Offset);
        }

        var delay = options.RetryDelay;
        while (!await pump.FlushAsync(AckReason.Batch).ConfigureAwait(false))
        {
            if (owned.IsCancellationRequested)
            {
                return false;
            }

            await Task.Delay(delay, owned).ConfigureAwait(false);
            delay = Min(delay * 2, options.MaxRetryDelay);
        }

        return !owned.IsCancellationRequested;
    }

    /// <summary>Handles one record to its end; <c>started</c> is its first attempt when the handler was already called for it.</summary>
    /// <returns>false when the partition was lost or the consumer stops before the record was done</returns>
    private async Task<bool> ProcessAsync(
        PartitionPump pump,
        LiiklusRecord record,
        RecordContext firstAttempt,
        HandlingPermit permit,
        CancellationToken owned,
        CancellationToken stopping,
        ValueTask<HandleResult>? started)
    {
        var group = pump.Assignment.Group;
        var maxAttempts = 1 + options.ImmediateRetries + options.DelayedRetries;
        for (var attempt = 1; ; attempt++)
        {
            HandleResult? result = null;
            Exception? error = null;
            try
            {
                if (attempt == 1 && started is { } first)
                {
                    result = await first.ConfigureAwait(false);
                }
                else
                {
                    using var activity = ConsumerTelemetry.StartHandling(record, group);
                    result = await handler.HandleAsync(record, attempt == 1 ? firstAttempt : new RecordContext(group, attempt), stopping).ConfigureAwait(false);
                }

                ArgumentNullException.ThrowIfNull(result, "handler result");
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception e)
            {
                error = e;
            }

            switch (result?.Outcome)
            {
                case HandleOutcome.Success:
                case HandleOutcome.Skip:
                    telemetry.Handled(group, result.Outcome);
                    return true;
                case HandleOutcome.DeadLetter:
                    return await DeadLetterAsync(pump, record, attempt, result.Reason!, null, permit, owned).ConfigureAwait(false);
            }

            if (attempt >= maxAttempts)
            {
                var reason = error is null ? $"retries used up after {attempt} attempts" : $"failed {attempt} times: {error.Message}";
                return await DeadLetterAsync(pump, record, attempt, reason, error, permit, owned).ConfigureAwait(false);
            }

            telemetry.Retried(group);
            var delay = result?.Delay
                ?? (attempt <= options.ImmediateRetries ? TimeSpan.Zero : Backoff(attempt - options.ImmediateRetries));
            logger.LogDebug(
                "Attempt {Attempt} at offset {Offset} of partition {Partition} of topic {Topic} failed ({Error}); retrying in {Delay}",
                attempt,
                record.Offset,
                record.Partition,
                record.Topic,
                error?.Message ?? result?.ToString(),
                delay);
            if (delay > TimeSpan.Zero)
            {
                try
                {
                    await permit.PauseAsync(delay, owned).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }
        }
    }

    /// <summary>Publishes the dead letter until it is stored: only then does the record count as done.</summary>
    private async Task<bool> DeadLetterAsync(
        PartitionPump pump, LiiklusRecord record, int attempts, string reason, Exception? error, HandlingPermit permit, CancellationToken owned)
    {
        var group = pump.Assignment.Group;
        var topic = options.DeadLetterTopicOf(group.Topic);
        var letter = DeadLetters.Of(record, group, attempts, reason, error);
        var delay = options.RetryDelay;
        while (true)
        {
            try
            {
                await client.PublishAsync(topic, letter, record.Key, owned).ConfigureAwait(false);
                telemetry.DeadLettered(group);
                logger.LogWarning(
                    "Offset {Offset} of partition {Partition} of topic {Topic} went to dead-letter topic {DeadLetterTopic} after {Attempts} attempts: {Reason}",
                    record.Offset,
                    record.Partition,
                    record.Topic,
                    topic,
                    attempts,
                    reason);
                return true;
            }
            catch (Exception) when (owned.IsCancellationRequested)
            {
                return false;
            }
            catch (RpcException e)
            {
                logger.LogError(
                    "Publishing offset {Offset} of partition {Partition} of topic {Topic} to dead-letter topic {DeadLetterTopic} failed, not acknowledging it: {Error}",
                    record.Offset,
                    record.Partition,
                    record.Topic,
                    topic,
                    e.Status.Detail);
            }

            try
            {
                await permit.PauseAsync(delay, owned).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            delay = Min(delay * 2, options.MaxRetryDelay);
        }
    }

    private TimeSpan Backoff(int delayedAttempt) =>
        Min(options.RetryDelay * Math.Pow(2, Math.Min(delayedAttempt - 1, 30)), options.MaxRetryDelay);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
