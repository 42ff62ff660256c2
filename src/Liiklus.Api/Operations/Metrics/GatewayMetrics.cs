using System.Diagnostics.Metrics;
using Liiklus.Api.Configuration;

namespace Liiklus.Api.Operations.Metrics;

/// <summary>
/// The API's instruments, on a meter of the host's <see cref="IMeterFactory"/> (so that each gateway in a process
/// exports only its own). Registered only when metrics are on.
/// </summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "Liiklus.Api";

    /// <summary>What a topic past <see cref="OperationsSettings.MaxTopicSeries"/> is counted as.</summary>
    public const string OtherTopics = "_other";

    private static readonly IReadOnlyList<double> LatencyBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter<long> _dropped;
    private readonly BoundedLabelValues _topics;

    public GatewayMetrics(IMeterFactory meters, OperationsSettings settings)
    {
        Meter = meters.Create(MeterName);
        Published = Meter.CreateCounter<long>("liiklus.published.records", description: "Records published, by topic.");
        Delivered = Meter.CreateCounter<long>("liiklus.delivered.records", description: "Records written to Receive streams, by topic.");
        PublishDuration = Meter.CreateHistogram(
            "liiklus.publish.duration",
            "s",
            "Publish calls from request to acknowledgement, by status (ok or error).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        SubscribeStreams = Meter.CreateUpDownCounter<long>("liiklus.subscribe.streams", description: "Subscribe calls open on this node.");
        ReceiveStreams = Meter.CreateUpDownCounter<long>("liiklus.receive.streams", description: "Receive calls open on this node.");
        _dropped = Meter.CreateCounter<long>(
            "liiklus.metrics.dropped.series",
            description: "Series left out because a cap was reached (liiklus.metrics.max-topic-series, max-group-series), by metric.");
        _topics = new BoundedLabelValues(settings.MaxTopicSeries, () => DroppedSeries("topic", 1));
    }

    public Meter Meter { get; }

    public Counter<long> Published { get; }

    public Counter<long> Delivered { get; }

    public Histogram<double> PublishDuration { get; }

    public UpDownCounter<long> SubscribeStreams { get; }

    public UpDownCounter<long> ReceiveStreams { get; }

    /// <summary>The topic's label value: itself while the cap has room, <see cref="OtherTopics"/> past it.</summary>
    public string TopicLabel(string topic) => _topics.Admit(topic) ? topic : OtherTopics;

    /// <param name="metric">what was capped: "topic" (per-topic counters) or "group" (positions and lag)</param>
    public void DroppedSeries(string metric, long count) => _dropped.Add(count, new KeyValuePair<string, object?>("metric", metric));
}
