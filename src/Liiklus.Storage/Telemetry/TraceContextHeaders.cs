using System.Diagnostics;
using System.Text;
using Liiklus.Storage.Records;

namespace Liiklus.Storage.Telemetry;

/// <summary>
/// W3C trace context in a record's headers. An event carries it as the CloudEvents distributed-tracing extension
/// (<c>traceparent</c>, <c>tracestate</c>), which the Kafka binding puts in <c>ce_traceparent</c> / <c>ce_tracestate</c>;
/// a plain <c>traceparent</c> header, as other Kafka producers' instrumentation writes, is read too.
/// </summary>
public static class TraceContextHeaders
{
    public const string TraceParent = "ce_traceparent";
    public const string TraceState = "ce_tracestate";
    private const string EventMarker = "ce_specversion";

    /// <summary>
    /// <paramref name="record"/> with <paramref name="span"/>'s context added, when it is an event that carries none yet;
    /// a legacy record (no CloudEvents headers) is left as it is, since any ce_ header would turn it into an event.
    /// </summary>
    public static OutgoingRecord WithTraceContext(OutgoingRecord record, Activity span)
    {
        if (!IsEvent(record.Headers) || Find(record.Headers, TraceParent) is not null)
        {
            return record;
        }

        var headers = new List<RecordHeader>(record.Headers.Count + 2);
        headers.AddRange(record.Headers);
        headers.Add(new RecordHeader(TraceParent, Encoding.UTF8.GetBytes(FormatTraceParent(span))));
        if (!string.IsNullOrEmpty(span.TraceStateString))
        {
            headers.Add(new RecordHeader(TraceState, Encoding.UTF8.GetBytes(span.TraceStateString)));
        }

        return record with { Headers = headers };
    }

    /// <summary>The trace context a record carries, if any and well formed.</summary>
    public static bool TryExtract(IReadOnlyList<RecordHeader> headers, out ActivityContext context)
    {
        context = default;
        var parent = Find(headers, TraceParent) ?? Find(headers, "traceparent");
        if (parent is null)
        {
            return false;
        }

        var state = Find(headers, TraceState) ?? Find(headers, "tracestate");
        return ActivityContext.TryParse(
            Encoding.UTF8.GetString(parent),
            state is null ? null : Encoding.UTF8.GetString(state),
            isRemote: true,
            out context);
    }

    public static string FormatTraceParent(Activity span) =>
        $"00-{span.TraceId.ToHexString()}-{span.SpanId.ToHexString()}-{(span.Recorded ? "01" : "00")}";

    private static bool IsEvent(IReadOnlyList<RecordHeader> headers) => Find(headers, EventMarker) is not null;

    private static byte[]? Find(IReadOnlyList<RecordHeader> headers, string name)
    {
        for (var i = 0; i < headers.Count; i++)
        {
            if (string.Equals(headers[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return headers[i].Value;
            }
        }

        return null;
    }
}
