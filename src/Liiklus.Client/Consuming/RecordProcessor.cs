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
    SemaphoreSlim concurrency,
    ConsumerTelemetry telemetry,
    ILogger logger)
{
    /// <summary>Handles the assignment's records until it ends; the replaced assignment's loop (<c>previous</c>) finishes first.</summary>
    public async Task RunAsync(PartitionPump pump, Task previous, CancellationToken stopping)
    {
        await previous.ConfigureAwait(false);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(pump.Owned, stopping);
        var owned = linked.Token;
        var batch = new List<LiiklusRecord>(options.AckBatchSize);
        var permit = new HandlingPermit(concurrency);
        try
        {
            while (await pump.Records.WaitToReadAsync(owned).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < options.AckBatchSize && pump.Records.TryRead(out var record))
                {
                    batch.Add(record);
                }

                if (options.AckMode == AckMode.AtMostOnce && !await AckAheadAsync(pump, batch, owned).ConfigureAwait(false))
                {
                    return;
                }

                await permit.TakeAsync(owned).ConfigureAwait(false);
                try
                {
                    foreach (var record in batch)
                    {
                        if (owned.IsCancellationRequested || !await ProcessAsync(pump, record, permit, owned, stopping).ConfigureAwait(false))
                        {
                            return;
                        }

                        if (options.AckMode == AckMode.AtLeastOnce)
                        {
                            await pump.HandledAsync(record.Offset).ConfigureAwait(false);
                        }
                    }
                }
                finally
                {
                    permit.Release();
                }
            }
        }
        catch (OperationCanceledException) when (owned.IsCancellationRequested)
        {
            // Revoked, replaced or stopping: the record in hand was finished or given up.
        }
    }

    private async Task<bool> AckAheadAsync(PartitionPump pump, List<LiiklusRecord> batch, CancellationToken owned)
    {
        foreach (var record in batch)
        {
            pump.Acks.Handled(record.Offset);
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

    /// <returns>false when the partition was lost or the consumer stops before the record was done</returns>
    private async Task<bool> ProcessAsync(PartitionPump pump, LiiklusRecord record, HandlingPermit permit, CancellationToken owned, CancellationToken stopping)
    {
        var group = pump.Assignment.Group;
        var maxAttempts = 1 + options.ImmediateRetries + options.DelayedRetries;
        for (var attempt = 1; ; attempt++)
        {
            HandleResult? result = null;
            Exception? error = null;
            try
            {
                using var activity = ConsumerTelemetry.StartHandling(record, group);
                result = await handler.HandleAsync(record, new RecordContext(group, attempt), stopping).ConfigureAwait(false);
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
