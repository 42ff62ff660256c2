using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Liiklus.Actors.Sessions;
using Liiklus.Protocol;

namespace Liiklus.Api.Operations.Metrics;

/// <summary>
/// Measures calls without touching the service: publishes (count by topic, latency), open Subscribe and Receive
/// streams, and records written to Receive streams (counted per flush, not per record).
/// </summary>
public sealed class CallMetricsInterceptor(GatewayMetrics metrics) : Interceptor
{
    private static readonly KeyValuePair<string, object?> Ok = new("status", "ok");
    private static readonly KeyValuePair<string, object?> Error = new("status", "error");

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (request is not PublishRequest publish)
        {
            return continuation(request, context);
        }

        var started = Stopwatch.GetTimestamp();
        Task<TResponse> call;
        try
        {
            call = continuation(request, context);
        }
        catch (Exception e)
        {
            metrics.PublishDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, Error);
            return Task.FromException<TResponse>(e);
        }

        // A publish answered at once is measured without a state machine of its own.
        if (!call.IsCompletedSuccessfully)
        {
            return MeasuredAsync(call, publish.Topic, started);
        }

        Published(publish.Topic, started);
        return call;
    }

    private async Task<TResponse> MeasuredAsync<TResponse>(Task<TResponse> call, string topic, long started)
    {
        try
        {
            var reply = await call;
            Published(topic, started);
            return reply;
        }
        catch
        {
            metrics.PublishDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, Error);
            throw;
        }
    }

    private void Published(string topic, long started)
    {
        metrics.PublishDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, Ok);
        metrics.Published.Add(1, new KeyValuePair<string, object?>("topic", metrics.TopicLabel(topic)));
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        switch (request)
        {
            case SubscribeRequest:
                metrics.SubscribeStreams.Add(1);
                try
                {
                    await continuation(request, responseStream, context);
                }
                finally
                {
                    metrics.SubscribeStreams.Add(-1);
                }

                break;
            case ReceiveRequest receive when responseStream is IServerStreamWriter<ReceiveReply> replies:
                var counting = new DeliveryCountingWriter(replies, metrics.Delivered, metrics.TopicLabel(TopicOf(receive)));
                metrics.ReceiveStreams.Add(1);
                try
                {
                    await continuation(request, (IServerStreamWriter<TResponse>)(object)counting, context);
                }
                finally
                {
                    counting.Flush();
                    metrics.ReceiveStreams.Add(-1);
                }

                break;
            default:
                await continuation(request, responseStream, context);
                break;
        }
    }

    // The service answers a session it cannot read with NOT_FOUND; here it only decides the label.
    private static string TopicOf(ReceiveRequest receive) =>
        receive.Assignment is { } assignment && SessionToken.TryDecode(assignment.SessionId, out var session) ? session.Topic : "";
}
