using System.Diagnostics;
using Akka;
using Akka.Streams.Dsl;
using Liiklus.Storage.Records;

namespace Liiklus.Storage.Telemetry;

/// <summary>
/// A records storage with a span per call (a producer span per publish, whose context an event carries to its
/// readers) and, when measuring, the call's duration and failures. Reads are counted only when they fail: their
/// records are counted where they are delivered.
/// </summary>
/// <param name="storage">the storage's name in metrics and spans, e.g. "kafka"</param>
/// <param name="metrics">null when the host does not measure</param>
public sealed class InstrumentedRecordsStorage(IRecordsStorage inner, string storage, StorageMetrics? metrics) : IRecordsStorage
{
    public Task<PublishResult> PublishAsync(string topic, OutgoingRecord record, CancellationToken cancellationToken)
    {
        if (StorageTracing.Source.HasListeners())
        {
            return TracedPublishAsync(topic, record, cancellationToken);
        }

        // Untraced: no span name to format, and a publish the storage answered at once needs no state machine.
        var started = Stopwatch.GetTimestamp();
        Task<PublishResult> publishing;
        try
        {
            publishing = inner.PublishAsync(topic, record, cancellationToken);
        }
        catch (Exception e)
        {
            Failed(span: null, e, "publish", started);
            return Task.FromException<PublishResult>(e);
        }

        if (!publishing.IsCompletedSuccessfully)
        {
            return MeasuredPublishAsync(publishing, started);
        }

        metrics?.Completed(storage, "publish", started, failed: false);
        return publishing;
    }

    private async Task<PublishResult> MeasuredPublishAsync(Task<PublishResult> publishing, long started)
    {
        try
        {
            var published = await publishing.ConfigureAwait(false);
            metrics?.Completed(storage, "publish", started, failed: false);
            return published;
        }
        catch (Exception e)
        {
            Failed(span: null, e, "publish", started);
            throw;
        }
    }

    private async Task<PublishResult> TracedPublishAsync(string topic, OutgoingRecord record, CancellationToken cancellationToken)
    {
        using var span = StorageTracing.Source.StartActivity($"publish {topic}", ActivityKind.Producer);
        if (span is not null)
        {
            Describe(span, topic);
            record = TraceContextHeaders.WithTraceContext(record, span);
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            var published = await inner.PublishAsync(topic, record, cancellationToken).ConfigureAwait(false);
            span?.SetTag("messaging.destination.partition.id", published.Partition);
            span?.SetTag("messaging.kafka.offset", published.Offset);
            metrics?.Completed(storage, "publish", started, failed: false);
            return published;
        }
        catch (Exception e)
        {
            Failed(span, e, "publish", started);
            throw;
        }
    }

    public Task<int> GetPartitionCountAsync(string topic, CancellationToken cancellationToken) =>
        ObserveAsync("partition_count", topic, () => inner.GetPartitionCountAsync(topic, cancellationToken));

    public Task<IReadOnlyDictionary<int, long>> GetEndOffsetsAsync(string topic, CancellationToken cancellationToken) =>
        ObserveAsync("end_offsets", topic, () => inner.GetEndOffsetsAsync(topic, cancellationToken));

    public Task<IReadOnlyDictionary<int, long>> GetEarliestOffsetsAsync(string topic, CancellationToken cancellationToken) =>
        ObserveAsync("earliest_offsets", topic, () => inner.GetEarliestOffsetsAsync(topic, cancellationToken));

    public Task<IReadOnlyDictionary<int, long>> GetOffsetsForTimestampAsync(string topic, DateTimeOffset timestamp, CancellationToken cancellationToken) =>
        ObserveAsync("offsets_for_timestamp", topic, () => inner.GetOffsetsForTimestampAsync(topic, timestamp, cancellationToken));

    public Task<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken) =>
        ObserveAsync("list_topics", topic: null, () => inner.ListTopicsAsync(cancellationToken));

    public Source<IReadOnlyList<StoredRecord>, NotUsed> PartitionSource(string topic, int partition, StartPosition start)
    {
        var source = inner.PartitionSource(topic, partition, start);
        return metrics is null
            ? source
            : source.SelectError(e =>
            {
                metrics.Failed(storage, "read");
                return e;
            });
    }

    public IDisposable? WakeOnAppend(string topic, int partition, long offset, Action wake) =>
        inner.WakeOnAppend(topic, partition, offset, wake);

    public IReadOnlyList<StoredRecord>? ReadAtTail(string topic, int partition, long offset, int maxRecords) =>
        inner.ReadAtTail(topic, partition, offset, maxRecords);

    public long? RestingOffset(string topic, int partition, StartPosition start) =>
        inner.RestingOffset(topic, partition, start);

    private async Task<T> ObserveAsync<T>(string operation, string? topic, Func<Task<T>> call)
    {
        using var span = StorageTracing.Source.StartActivity(topic is null ? operation : $"{operation} {topic}", ActivityKind.Client);
        if (span is not null)
        {
            Describe(span, topic);
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await call().ConfigureAwait(false);
            metrics?.Completed(storage, operation, started, failed: false);
            return result;
        }
        catch (Exception e)
        {
            Failed(span, e, operation, started);
            throw;
        }
    }

    private void Describe(Activity span, string? topic)
    {
        span.SetTag("messaging.system", storage);
        if (topic is not null)
        {
            span.SetTag("messaging.destination.name", topic);
        }
    }

    private void Failed(Activity? span, Exception e, string operation, long started)
    {
        span?.SetStatus(ActivityStatusCode.Error, e.Message);
        // A call its caller gave up on is the caller's business, not the storage's failure.
        var failed = e is not OperationCanceledException;
        metrics?.Completed(storage, operation, started, failed);
    }
}
