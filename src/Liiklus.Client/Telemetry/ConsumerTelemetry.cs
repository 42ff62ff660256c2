using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Liiklus.Client;

/// <summary>
/// The consumers' metrics on the <c>Liiklus.Client</c> meter and their spans on the <c>Liiklus.Client</c> activity
/// source: add both names to an OpenTelemetry setup to export them.
/// </summary>
internal sealed class ConsumerTelemetry
{
    /// <summary>The meter's and the activity source's name.</summary>
    public const string Name = "Liiklus.Client";

    public static readonly ConsumerTelemetry Instance = new();

    private static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _handled;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _ackFlushes;
    private readonly ConcurrentDictionary<(string Topic, string Group, int Partition), long> _lag = new();

    private ConsumerTelemetry()
    {
        var meter = new Meter(Name);
        _handled = meter.CreateCounter<long>("liiklus.client.records.handled", "{record}", "Records handled (success or skip)");
        _retried = meter.CreateCounter<long>("liiklus.client.records.retried", "{record}", "Attempts that were retried");
        _deadLettered = meter.CreateCounter<long>("liiklus.client.records.dead_lettered", "{record}", "Records published to a dead-letter topic");
        _ackFlushes = meter.CreateCounter<long>("liiklus.client.ack.flushes", "{ack}", "Acknowledgements sent, by reason: batch (AckBatchSize handled, or at-most-once), interval (AckInterval waited), final (revoked, replaced or stopping)");
        meter.CreateObservableGauge(
            "liiklus.client.lag",
            () => _lag.Select(p => new Measurement<long>(p.Value, Tags(p.Key.Topic, p.Key.Group, p.Key.Partition))),
            "{record}",
            "Records of an owned partition not yet handled, as of the last measurement");
    }

    // Each record passes here: with no listener on an instrument, its tags are not even made.
    public void Handled(ConsumerGroup group, HandleOutcome outcome)
    {
        if (_handled.Enabled)
        {
            _handled.Add(1, new KeyValuePair<string, object?>("topic", group.Topic), new KeyValuePair<string, object?>("group", group.Name), new KeyValuePair<string, object?>("outcome", outcome == HandleOutcome.Skip ? "skip" : "success"));
        }
    }

    public void Retried(ConsumerGroup group)
    {
        if (_retried.Enabled)
        {
            _retried.Add(1, Tags(group));
        }
    }

    public void DeadLettered(ConsumerGroup group)
    {
        if (_deadLettered.Enabled)
        {
            _deadLettered.Add(1, Tags(group));
        }
    }

    public void AckFlushed(ConsumerGroup group, AckReason reason) => _ackFlushes.Add(
        1,
        new KeyValuePair<string, object?>("topic", group.Topic),
        new KeyValuePair<string, object?>("group", group.Name),
        new KeyValuePair<string, object?>("reason", reason switch
        {
            AckReason.Batch => "batch",
            AckReason.Interval => "interval",
            _ => "final",
        }));

    public void Lag(ConsumerGroup group, int partition, long lag) => _lag[(group.Topic, group.Name, partition)] = lag;

    public void NoLag(ConsumerGroup group, int partition) => _lag.TryRemove((group.Topic, group.Name, partition), out _);

    /// <summary>Whether anything listens to the spans: none is made otherwise.</summary>
    public static bool Tracing => Source.HasListeners();

    /// <summary>A span for handling a record, continuing the trace its publisher started (<c>traceparent</c>).</summary>
    public static Activity? StartHandling(LiiklusRecord record, ConsumerGroup group)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        ActivityContext.TryParse(record.Event?.TraceParent, null, out var parent);
        var activity = Source.StartActivity($"{record.Topic} process", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", "liiklus");
        activity?.SetTag("messaging.destination.name", record.Topic);
        activity?.SetTag("messaging.consumer.group.name", group.Name);
        activity?.SetTag("messaging.destination.partition.id", record.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture));
        activity?.SetTag("messaging.kafka.offset", record.Offset);
        return activity;
    }

    /// <summary>A span for publishing to <paramref name="topic"/>; the event carries it as its <c>traceparent</c>.</summary>
    public static Activity? StartPublishing(string topic)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity($"{topic} publish", ActivityKind.Producer);
        activity?.SetTag("messaging.system", "liiklus");
        activity?.SetTag("messaging.destination.name", topic);
        activity?.SetTag("messaging.operation.type", "send");
        return activity;
    }

    private static KeyValuePair<string, object?>[] Tags(ConsumerGroup group) =>
        [new("topic", group.Topic), new("group", group.Name)];

    private static TagList Tags(string topic, string group, int partition) =>
        new() { { "topic", topic }, { "group", group }, { "partition", partition } };
}
