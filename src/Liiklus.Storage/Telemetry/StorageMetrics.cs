using System.Diagnostics.Metrics;
using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Kafka;

namespace Liiklus.Storage.Telemetry;

/// <summary>
/// The storages' instruments, on a meter of the host's <see cref="IMeterFactory"/> so that each gateway in a process
/// exports its own. Created only when the host measures; storages never depend on an exporter.
/// </summary>
public sealed class StorageMetrics
{
    public const string MeterName = "Liiklus.Storage";

    private static readonly IReadOnlyList<double> LatencyBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _duration;

    public StorageMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _errors = _meter.CreateCounter<long>(
            "liiklus.storage.errors",
            description: "Storage calls that failed, by storage and operation (outages, deadlines, refusals).");
        _duration = _meter.CreateHistogram(
            "liiklus.storage.operation.duration",
            "s",
            "How long storage calls took, by storage and operation; with storage=redis, one Redis command per ack and per positions read.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
    }

    internal void Completed(string storage, string operation, long startTimestamp, bool failed)
    {
        var storageTag = new KeyValuePair<string, object?>("storage", storage);
        var operationTag = new KeyValuePair<string, object?>("operation", operation);
        _duration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, storageTag, operationTag);
        if (failed)
        {
            _errors.Add(1, storageTag, operationTag);
        }
    }

    internal void Failed(string storage, string operation) =>
        _errors.Add(1, new KeyValuePair<string, object?>("storage", storage), new KeyValuePair<string, object?>("operation", operation));

    /// <summary>The Kafka storage's consumers, threads and buffers, read when metrics are collected.</summary>
    public void Observe(KafkaRecordsStorage kafka)
    {
        _meter.CreateObservableGauge(
            "liiklus.kafka.consumers",
            () => kafka.ConsumerCount,
            description: "Kafka consumers the node's pool has open (each with a poll thread of its own).");
        _meter.CreateObservableGauge(
            "liiklus.kafka.waiting.readers",
            () => kafka.WaitingBuffers,
            description: "Partition readers waiting for a consumer slot (the pool is at max-consumers).");
        _meter.CreateObservableGauge(
            "liiklus.kafka.buffered",
            () => kafka.BufferedBytes,
            "By",
            "Bytes of records the Kafka partition buffers hold ahead of their streams.");
        _meter.CreateObservableGauge(
            "liiklus.kafka.shared.tails",
            () => kafka.SharedTails,
            description: "Partitions whose newest records are fetched once for every stream of the node.");
        _meter.CreateObservableGauge(
            "liiklus.kafka.threads",
            KafkaThreads.Count,
            description: "Threads of the Kafka clients: kind=librdkafka (librdkafka's own) and kind=gateway (poll and metadata threads).");
    }

    /// <summary>The node's receive memory budget, read when metrics are collected.</summary>
    public void Observe(ByteBudget budget)
    {
        _meter.CreateObservableGauge(
            "liiklus.receive.buffered",
            () => budget.Used,
            "By",
            "Bytes of records held on the receive path (Kafka buffers, shared tails, streams), out of liiklus.receive.memory-budget.");
        _meter.CreateObservableGauge(
            "liiklus.receive.budget",
            () => budget.Capacity,
            "By",
            "The node's receive memory budget (liiklus.receive.memory-budget).");
    }
}
