using Grpc.Core;
using Grpc.Core.Interceptors;
using Liiklus.Actors.Groups;
using Liiklus.Actors.Receiving;
using Liiklus.Actors.Sessions;
using Liiklus.Actors.Subscriptions;
using Liiklus.Storage;
using Liiklus.Storage.Cold;
using Liiklus.Storage.Positions;

namespace Liiklus.Api.Grpc;

/// <summary>
/// Gives every failure a status a client can act on, never UNKNOWN: storage outages are UNAVAILABLE (which storage and
/// a trace id; the storage's own words go to the log under that id), a coordinator that does not answer too, an ended session
/// NOT_FOUND, an oversized record or a spent budget RESOURCE_EXHAUSTED, a call the client left CANCELLED, anything
/// unexpected INTERNAL (logged with its details, which the client does not get).
/// </summary>
public sealed class StatusMappingInterceptor(ILogger<StatusMappingInterceptor> logger) : Interceptor
{
    // A call answered at once (an in-memory publish, say) passes through without a state machine of its own.
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Task<TResponse> call;
        try
        {
            call = continuation(request, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            return Task.FromException<TResponse>(ToRpcException(e, context));
        }

        return call.IsCompletedSuccessfully ? call : MappedAsync(call, context);
    }

    private async Task<TResponse> MappedAsync<TResponse>(Task<TResponse> call, ServerCallContext context)
    {
        try
        {
            return await call;
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw ToRpcException(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw ToRpcException(e, context);
        }
    }

    private RpcException ToRpcException(Exception e, ServerCallContext context)
    {
        var traceId = context.GetHttpContext().TraceIdentifier;
        var status = e switch
        {
            // Whatever failed once the client had gone (a write to a closed stream, say) failed because it had gone.
            _ when context.CancellationToken.IsCancellationRequested => new Status(StatusCode.Cancelled, "the call was cancelled"),
            // Which storage, and the trace id that finds the detail (addresses, the store's own errors) in the log.
            StorageUnavailableException unavailable => new Status(StatusCode.Unavailable, $"{unavailable.Summary} (trace id {traceId})"),
            CoordinatorUnavailableException => new Status(StatusCode.Unavailable, e.Message),
            SessionNotFoundException => new Status(StatusCode.NotFound, e.Message),
            AckFencedException => new Status(StatusCode.FailedPrecondition, e.Message),
            RecordTooLargeException or ReceiveMemoryExhaustedException or AssignmentsNotReadException =>
                new Status(StatusCode.ResourceExhausted, e.Message),
            // A position the positions storage cannot hold (e.g. an offset Kafka cannot commit).
            PositionOutOfRangeException => new Status(StatusCode.InvalidArgument, e.Message),
            // Records neither the cold store nor Kafka holds: the range, so the operator knows what was lost.
            ColdDataLossException => new Status(StatusCode.DataLoss, e.Message),
            OperationCanceledException => new Status(StatusCode.DeadlineExceeded, "the storage did not answer in time"),
            _ => new Status(StatusCode.Internal, $"the gateway failed unexpectedly (trace id {traceId}); its log has the details"),
        };
        if (status.StatusCode == StatusCode.Internal)
        {
            logger.LogError(e, "{Method} failed unexpectedly (trace id {TraceId})", context.Method, traceId);
        }
        else if (e is StorageUnavailableException storage && !context.CancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("{Method} answered UNAVAILABLE, {Summary} (trace id {TraceId}): {Detail}", context.Method, storage.Summary, traceId, storage.Message);
        }

        return new RpcException(status);
    }
}
