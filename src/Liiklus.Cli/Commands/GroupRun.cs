using Grpc.Core;
using Liiklus.Client;

namespace Liiklus.Cli.Commands;

/// <summary>
/// Runs the client library's consumer for one group until it is told to stop, <c>-n</c> records were handled, or
/// (with <c>-e</c>) every partition reached the end offset it had at the start. A record counts as handled, and is
/// acknowledged, once its handler returned; on the way out the consumer acknowledges what was handled.
/// </summary>
internal sealed class GroupRun(LiiklusClient client, ConsumerGroup group, OffsetReset offsetReset, int? limit, bool exitAtEnd, bool ack, int ackBatchSize = 100)
{
    private readonly object _gate = new();
    private int _handled;

    /// <summary>Handles records until the run ends; a handler's exception ends the run and is thrown.</summary>
    public async Task RunAsync(Func<LiiklusRecord, Task> handle, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Partitions still short of the end offset they had at the start: the last record's offset there, by partition.
        Dictionary<int, ulong>? remaining = null;
        // Asked first in any case: an unreachable gateway or a refused token fails the command at once, where the
        // consumer would keep subscribing again.
        var ends = await client.GetEndOffsetsAsync(group.Topic, stop.Token);
        if (exitAtEnd)
        {
            remaining = await RemainingAsync(ends, stop.Token);
            if (remaining.Count == 0)
            {
                return;
            }
        }

        var consumer = new LiiklusConsumer(client, group, new LiiklusConsumerOptions
        {
            OffsetReset = offsetReset,
            AckBatchSize = ackBatchSize,
            LagInterval = TimeSpan.Zero,
        });
        var readers = new List<Task>();
        Exception? failure = null;
        var watching = WatchForRefusalAsync();
        try
        {
            await foreach (var stream in consumer.ConsumeAsync(stop.Token))
            {
                readers.Add(Task.Run(() => ReadAsync(stream), CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped: by the caller, the limit, the end or a refusal.
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        await watching;
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        // The consumer subscribes again after any failure, as a service should; a command line gives up on a
        // refusal that no retry changes, and says why.
        async Task WatchForRefusalAsync()
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token))
                {
                    if (consumer.LastError is RpcException { StatusCode: StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.InvalidArgument or StatusCode.Unimplemented } refused)
                    {
                        lock (_gate)
                        {
                            failure ??= refused;
                        }

                        await stop.CancelAsync();
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        async Task ReadAsync(PartitionStream stream)
        {
            try
            {
                await foreach (var record in stream.ReadAllAsync(stop.Token))
                {
                    lock (_gate)
                    {
                        if (limit is { } max && _handled >= max)
                        {
                            return;
                        }

                        _handled++;
                    }

                    await handle(record);
                    if (ack)
                    {
                        await stream.MarkHandledAsync(record);
                    }

                    bool done;
                    lock (_gate)
                    {
                        if (remaining is not null && remaining.TryGetValue(record.Partition, out var last) && record.Offset >= last)
                        {
                            remaining.Remove(record.Partition);
                        }

                        done = (limit is { } max && _handled >= max) || remaining is { Count: 0 };
                    }

                    if (done)
                    {
                        await stop.CancelAsync();
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped.
            }
            catch (Exception e)
            {
                lock (_gate)
                {
                    failure ??= e;
                }

                await stop.CancelAsync();
            }
        }
    }

    /// <summary>The partitions with records past the group's position, each with its last record's offset.</summary>
    private async Task<Dictionary<int, ulong>> RemainingAsync(IReadOnlyDictionary<int, long> ends, CancellationToken cancellationToken)
    {
        var acked = await client.GetOffsetsAsync(group, cancellationToken);
        var remaining = new Dictionary<int, ulong>();
        foreach (var (partition, last) in ends)
        {
            if (last < 0)
            {
                continue;
            }

            if (acked.TryGetValue(partition, out var position) && position >= (ulong)last)
            {
                continue;
            }

            // A group with no position that starts at the latest record has nothing before it.
            if (!acked.ContainsKey(partition) && offsetReset == OffsetReset.Latest)
            {
                continue;
            }

            remaining[partition] = (ulong)last;
        }

        return remaining;
    }
}
