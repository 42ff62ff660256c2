using Grpc.Core;
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
/// unexpected INTERNAL (logged with its details, which the client does not get). <see cref="GatewayCallInterceptor"/>
/// applies it to every call.
/// </summary>
public sealed class FailureStatuses(ILogger<FailureStatuses> logger)
{
    /// <summary>The status a call that failed with <paramref name="e"/> (not an <see cref="RpcException"/>) ends with.</summary>
    public RpcException ToRpcException(Exception e, ServerCallContext context)
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
