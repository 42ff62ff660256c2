using System.Diagnostics;
using Liiklus.Storage.Records;
using Liiklus.Storage.Telemetry;

namespace Liiklus.Api.Operations.Tracing;

/// <summary>The API's spans; started only while something listens (an exporter is configured).</summary>
public static class GatewayTracing
{
    public const string SourceName = "Liiklus.Api";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// Marks a record's delivery to a Receive call with a span in the trace its publisher started (the context the record
    /// carries, see <see cref="TraceContextHeaders"/>), linked to the Receive call's own span. A record without trace
    /// context costs a header scan only, and nothing at all while tracing is off.
    /// </summary>
    public static void Delivering(StoredRecord record, string topic)
    {
        if (!Source.HasListeners() || !TraceContextHeaders.TryExtract(record.Headers, out var publisher))
        {
            return;
        }

        var call = Activity.Current;
        ActivityLink[]? links = call is null ? null : [new ActivityLink(call.Context)];
        using (var span = Source.StartActivity($"deliver {topic}", ActivityKind.Consumer, publisher, links: links))
        {
            span?.SetTag("messaging.destination.name", topic);
            span?.SetTag("messaging.destination.partition.id", record.Partition);
            span?.SetTag("messaging.kafka.offset", record.Offset);
        }

        // The delivery span ends here; the call's own span stays the current one for what follows.
        Activity.Current = call;
    }
}
