using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Liiklus.Client;

/// <summary>
/// Runs the Liiklus consumer algorithm for one group: subscribes, opens one Receive per assignment on the same
/// client, replaces a partition's stream when it is assigned again, acknowledges in batches (always the highest
/// contiguous handled offset, and at once when a partition is revoked, replaced or the consumer stops), and
/// subscribes again with a jittered backoff when the connection drops. Use <see cref="RunAsync"/> with a handler
/// or <see cref="ConsumeAsync"/> for partition streams; one run at a time.
/// </summary>
public sealed class LiiklusConsumer
{
    private readonly LiiklusClient _client;
    private readonly LiiklusConsumerOptions _options;
    private readonly ILogger _logger;
    private readonly ConsumerTelemetry _telemetry = ConsumerTelemetry.Instance;
    // What each partition had handled and acknowledged when its last assignment ended: a Receive opened for it
    // again passes over what was already handled.
    private readonly Dictionary<int, (ulong? Handled, ulong? Flushed)> _positions = [];
    private int _running;

    /// <summary>A consumer of <paramref name="group"/> through <paramref name="client"/>.</summary>
    /// <exception cref="ArgumentException">a setting cannot work</exception>
    public LiiklusConsumer(LiiklusClient client, ConsumerGroup group, LiiklusConsumerOptions? options = null, ILogger<LiiklusConsumer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(group);
        ArgumentException.ThrowIfNullOrEmpty(group.Topic, nameof(group.Topic));
        ArgumentException.ThrowIfNullOrEmpty(group.Name, nameof(group.Name));
        _options = options ?? new LiiklusConsumerOptions();
        _options.Validate();
        _client = client;
        Group = group;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The group consumed.</summary>
    public ConsumerGroup Group { get; }

    /// <summary>Where the consumer is.</summary>
    public ConsumerState State { get; private set; }

    /// <summary>Why the subscription last failed, while <see cref="State"/> is <see cref="ConsumerState.Reconnecting"/>.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>
    /// Handles every record with <paramref name="handler"/> until <paramref name="cancellationToken"/> is
    /// cancelled; then finishes the records in hand, acknowledges what was handled and leaves the group.
    /// Never fails for a dropped connection: it subscribes again.
    /// </summary>
    public async Task RunAsync(IRecordHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var slots = new HandlingSlots(_options.MaxConcurrentPartitions);
        var processor = new RecordProcessor(_client, handler, _options, slots, _telemetry, _logger);
        await RunCoreAsync(
            (pump, previous) => pump.HandleWith(processor, previous?.Handling ?? Task.CompletedTask, cancellationToken),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Yields a stream per assignment until <paramref name="cancellationToken"/> is cancelled or the loop leaves;
    /// then acknowledges what was marked handled and leaves the group. Finish a partition's previous stream before
    /// reading its next one, or order across the two is lost.
    /// </summary>
    public async IAsyncEnumerable<PartitionStream> ConsumeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var streams = Channel.CreateUnbounded<PartitionStream>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = RunCoreAsync((pump, _) => streams.Writer.TryWrite(new PartitionStream(pump, _options.AckMode)), stop.Token);
        _ = run.ContinueWith(_ => streams.Writer.TryComplete(), TaskScheduler.Default);
        try
        {
            await foreach (var stream in streams.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return stream;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await run.ConfigureAwait(false);
        }
    }

    private async Task RunCoreAsync(Action<PartitionPump, PartitionPump?> assigned, CancellationToken stopping)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException("This consumer is already running");
        }

        using var connection = new CancellationTokenSource();
        using var lagLoop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var pumps = new Dictionary<int, PartitionPump>();
        var gate = new SemaphoreSlim(1, 1);
        var stopped = false;
        State = ConsumerState.Starting;
        // Started on its own: a host's start (which awaits up to the first await) is never held up by a gateway.
        var subscribing = Task.Run(() => SubscribeLoopAsync(), CancellationToken.None);
        var measuring = _options.LagInterval > TimeSpan.Zero ? Task.Run(() => LagLoopAsync(), CancellationToken.None) : Task.CompletedTask;
        try
        {
            await Task.Delay(Timeout.Infinite, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Graceful stop.
        }

        await lagLoop.CancelAsync().ConfigureAwait(false);
        await gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            stopped = true;
            // Subscription still open: the partitions are still this consumer's while their last acks go out.
            await Task.WhenAll(pumps.Values.Select(p => p.Handling)).ConfigureAwait(false);
            await Task.WhenAll(pumps.Values.Select(EndAsync)).ConfigureAwait(false);
            foreach (var pump in pumps.Values)
            {
                Remember(pump);
            }

            pumps.Clear();
        }
        finally
        {
            gate.Release();
        }

        await connection.CancelAsync().ConfigureAwait(false);
        await subscribing.ConfigureAwait(false);
        await measuring.ConfigureAwait(false);
        State = ConsumerState.Stopped;
        Volatile.Write(ref _running, 0);

        async Task SubscribeLoopAsync()
        {
            var failures = 0;
            while (!connection.IsCancellationRequested)
            {
                try
                {
                    await foreach (var assignment in _client.SubscribeAsync(Group, _options.OffsetReset, connection.Token).ConfigureAwait(false))
                    {
                        failures = 0;
                        State = ConsumerState.Subscribed;
                        LastError = null;
                        await OnAssignedAsync(assignment).ConfigureAwait(false);
                    }

                    _logger.LogInformation("The gateway ended the subscription of group {Group} to topic {Topic}", Group.Name, Group.Topic);
                }
                catch (Exception) when (connection.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    LastError = e;
                    _logger.LogWarning("Subscription of group {Group} to topic {Topic} failed: {Error}", Group.Name, Group.Topic, e.Message);
                }

                // The session ended with the subscription, and every assignment of it.
                await EndAllAsync().ConfigureAwait(false);
                if (connection.IsCancellationRequested || stopping.IsCancellationRequested)
                {
                    return;
                }

                State = ConsumerState.Reconnecting;
                var delay = Backoff(failures++);
                _logger.LogInformation("Subscribing group {Group} to topic {Topic} again in {Delay}", Group.Name, Group.Topic, delay);
                try
                {
                    await Task.Delay(delay, connection.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        async Task OnAssignedAsync(PartitionAssignment assignment)
        {
            await gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                if (stopped)
                {
                    return;
                }

                foreach (var ended in pumps.Values.Where(p => p.Ended.IsCompleted && p.Handling.IsCompleted).ToList())
                {
                    Remember(ended);
                    pumps.Remove(ended.Assignment.Partition);
                }

                pumps.Remove(assignment.Partition, out var previous);
                // Replaced while still receiving: no other consumer held the partition in between. A stream that
                // had ended (revoked, or the connection dropped) may have let another consumer take it meanwhile.
                var heldThroughout = previous is not null && !previous.Ended.IsCompleted;
                if (previous is not null)
                {
                    // A new assignment replaces the old stream: the old one's handled records are acknowledged, and
                    // its record in hand finished, before the new one starts past them.
                    await EndAsync(previous).ConfigureAwait(false);
                    await previous.Handling.ConfigureAwait(false);
                    Remember(previous);
                }

                var known = _positions.GetValueOrDefault(assignment.Partition);
                var pump = new PartitionPump(_client, assignment, new AckTracker(known.Handled, known.Flushed), _options, _telemetry, _logger, connection.Token);
                pumps[assignment.Partition] = pump;
                _logger.LogInformation(
                    "Partition {Partition} of topic {Topic} assigned to group {Group} (session {SessionId})",
                    assignment.Partition,
                    Group.Topic,
                    Group.Name,
                    assignment.SessionId);
                // A partition this consumer held throughout needs no handoff; one gained, or gained back, waits for
                // the last acknowledgement of whoever held it meanwhile.
                assigned(pump, previous);
                pump.Start(handoff: !heldThroughout && _options.HandoffDelay > TimeSpan.Zero);
            }
            finally
            {
                gate.Release();
            }
        }

        async Task EndAllAsync()
        {
            await gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                // Kept until their record in hand is finished: a later assignment of the partition starts past it.
                await Task.WhenAll(pumps.Values.Select(EndAsync)).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }

        async Task EndAsync(PartitionPump pump)
        {
            await pump.EndOwnershipAsync().ConfigureAwait(false);
            _telemetry.NoLag(Group, pump.Assignment.Partition);
        }

        async Task LagLoopAsync()
        {
            using var timer = new PeriodicTimer(_options.LagInterval);
            try
            {
                while (await timer.WaitForNextTickAsync(lagLoop.Token).ConfigureAwait(false))
                {
                    try
                    {
                        var ends = await _client.GetEndOffsetsAsync(Group.Topic, lagLoop.Token).ConfigureAwait(false);
                        List<PartitionPump> owned;
                        await gate.WaitAsync(lagLoop.Token).ConfigureAwait(false);
                        try
                        {
                            owned = [.. pumps.Values.Where(p => !p.Ended.IsCompleted)];
                        }
                        finally
                        {
                            gate.Release();
                        }

                        foreach (var pump in owned)
                        {
                            var end = ends.GetValueOrDefault(pump.Assignment.Partition, -1);
                            var handled = pump.Acks.Watermark is { } watermark ? (long)watermark : -1;
                            _telemetry.Lag(Group, pump.Assignment.Partition, Math.Max(0, end - handled));
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        _logger.LogDebug("Measuring the lag of group {Group} failed: {Error}", Group.Name, e.Message);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }
    }

    private void Remember(PartitionPump pump)
    {
        lock (_positions)
        {
            _positions[pump.Assignment.Partition] = (pump.Acks.Watermark, pump.Acks.Flushed);
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var ceiling = Math.Min(_options.MaxReconnectDelay.TotalMilliseconds, _options.ReconnectDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 30)));
        // Jitter: consumers dropped together do not come back together.
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (Random.Shared.NextDouble() / 2)));
    }
}
