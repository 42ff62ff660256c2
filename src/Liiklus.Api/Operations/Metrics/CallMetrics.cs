using System.Diagnostics;
using Grpc.Core;
using Liiklus.Actors.Sessions;
using Liiklus.Api.Grpc;
using Liiklus.Protocol;

namespace Liiklus.Api.Operations.Metrics;

/// <summary>
/// Measures calls without touching the service: publishes (count by topic, latency), open Subscribe and Receive
/// streams, and records written to Receive streams (counted per flush, not per record). Registered only when metrics
/// are on; <see cref="Grpc.GatewayCallInterceptor"/> applies it to every call.
/// </summary>
public sealed class CallMetrics(GatewayMetrics metrics)
{
    private static readonly KeyValuePair<string, object?> Ok = new("status", "ok");
    private static readonly KeyValuePair<string, object?> Error = new("status", "error");

    /// <summary>When a publish started, for <see cref="Published"/> or <see cref="PublishFailed"/>.</summary>
    public static long PublishStarted() => Stopwatch.GetTimestamp();

    public void Published(PublishRequest publish, long started)
    {
        metrics.PublishDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, Ok);
        metrics.Published.Add(1, new KeyValuePair<string, object?>("topic", metrics.TopicLabel(publish.Topic)));
    }

    public void PublishFailed(long started) =>
        metrics.PublishDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, Error);

    /// <summary>
    /// Counts a streaming call open until the stream it returns is closed; a Receive call's records are counted as
    /// they are written through <see cref="MeasuredStream{TResponse}.Writer"/>.
    /// </summary>
    public MeasuredStream<TResponse> StreamOpened<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream)
    {
        switch (request)
        {
            case SubscribeRequest:
                metrics.SubscribeStreams.Add(1);
                return new MeasuredStream<TResponse>(responseStream, () => metrics.SubscribeStreams.Add(-1));
            case ReceiveRequest receive when responseStream is FramedReplyWriter replies:
                var counting = new DeliveryCountingWriter(replies, metrics.Delivered, metrics.TopicLabel(TopicOf(receive)));
                metrics.ReceiveStreams.Add(1);
                return new MeasuredStream<TResponse>((IServerStreamWriter<TResponse>)(object)counting, () =>
                {
                    counting.Flush();
                    metrics.ReceiveStreams.Add(-1);
                });
            default:
                return new MeasuredStream<TResponse>(responseStream, closed: null);
        }
    }

    // The service answers a session it cannot read with NOT_FOUND; here it only decides the label.
    private static string TopicOf(ReceiveRequest receive) =>
        receive.Assignment is { } assignment && SessionToken.TryDecode(assignment.SessionId, out var session) ? session.Topic : "";
}
