using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Liiklus.Api.Operations.Compression;
using Liiklus.Api.Operations.Metrics;
using Liiklus.Protocol;

namespace Liiklus.Api.Grpc;

/// <summary>
/// The gateway's one interceptor, on every service: failures get a clear status (<see cref="FailureStatuses"/>), small
/// replies go out uncompressed when replies are compressed (<see cref="SmallRepliesUncompressed"/>), and calls are
/// measured when metrics are on (<see cref="CallMetrics"/>). One rather than one per job because grpc-dotnet wraps every
/// interceptor of a call in a state machine of its own and resolves it per call.
/// </summary>
/// <param name="compression">null when replies are not compressed</param>
/// <param name="metrics">null when metrics are off</param>
/// <param name="grpc">grpc-dotnet's options: whether replies are compressed, and its limit on a reply's size</param>
public sealed class GatewayCallInterceptor(FailureStatuses statuses, SmallRepliesUncompressed? compression, CallMetrics? metrics, GrpcServiceOptions grpc) : Interceptor
{
    // Replies at least this large are written by grpc-dotnet: it compresses them (when the call's replies are) or fails
    // the call for exceeding its send limit.
    private readonly int _framedBelowBytes = (int)Math.Min(
        grpc.ResponseCompressionAlgorithm is null ? int.MaxValue : compression?.MinCompressedBytes ?? 0,
        grpc.MaxSendMessageSize is { } max ? max + 1L : int.MaxValue);

    // A call answered at once (an in-memory publish, say) passes through without a state machine of its own.
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        // Publish is the one unary call measured.
        var publish = metrics is null ? null : request as PublishRequest;
        var started = publish is null ? 0 : CallMetrics.PublishStarted();
        Task<TResponse> call;
        try
        {
            call = continuation(request, context);
        }
        catch (Exception e)
        {
            return Task.FromException<TResponse>(Failed(e, context, publish, started));
        }

        if (!call.IsCompletedSuccessfully)
        {
            return AnsweredAsync(call, context, publish, started);
        }

        Answered(call.Result, context, publish, started);
        return call;
    }

    private async Task<TResponse> AnsweredAsync<TResponse>(Task<TResponse> call, ServerCallContext context, PublishRequest? publish, long started)
    {
        TResponse reply;
        try
        {
            reply = await call;
        }
        catch (Exception e)
        {
            var failure = Failed(e, context, publish, started);
            if (failure == e)
            {
                throw;
            }

            throw failure;
        }

        Answered(reply, context, publish, started);
        return reply;
    }

    private void Answered<TResponse>(TResponse reply, ServerCallContext context, PublishRequest? publish, long started)
    {
        if (publish is not null)
        {
            metrics!.Published(publish, started);
        }

        compression?.Choose(reply, context);
    }

    /// <summary>What the call fails with: an <see cref="RpcException"/> as it is, anything else mapped to its status.</summary>
    private Exception Failed(Exception e, ServerCallContext context, PublishRequest? publish, long started)
    {
        if (publish is not null)
        {
            metrics!.PublishFailed(started);
        }

        return e is RpcException ? e : statuses.ToRpcException(e, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var writer = compression is null ? responseStream : compression.Writer(responseStream);
        if (writer is IServerStreamWriter<ReceiveReply> replies)
        {
            // A Receive stream writes a reply per record: see FramedReplyWriter.
            writer = (IServerStreamWriter<TResponse>)(object)new FramedReplyWriter(replies, context.GetHttpContext().Response.BodyWriter, _framedBelowBytes);
        }

        var measured = metrics?.StreamOpened(request, writer);
        try
        {
            await continuation(request, measured?.Writer ?? writer, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw statuses.ToRpcException(e, context);
        }
        finally
        {
            measured?.Close();
        }
    }
}
