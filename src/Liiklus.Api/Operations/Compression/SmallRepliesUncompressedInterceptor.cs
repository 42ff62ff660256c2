using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Liiklus.Api.Configuration;

namespace Liiklus.Api.Operations.Compression;

/// <summary>
/// Replies smaller than <see cref="OperationsSettings.CompressionMinMessageBytes"/> go out uncompressed even to clients
/// that accept gzip: gRPC flags compression per message, every client reads both, and gzip makes a small message larger
/// while costing the node several times what writing it does. Larger replies are compressed as configured.
/// </summary>
public sealed class SmallRepliesUncompressedInterceptor(OperationsSettings settings) : Interceptor
{
    private static readonly WriteOptions Uncompressed = new(WriteFlags.NoCompress);

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var call = continuation(request, context);
        if (!call.IsCompletedSuccessfully)
        {
            return ChosenAsync(call, context);
        }

        Choose(call.Result, context);
        return call;
    }

    private async Task<TResponse> ChosenAsync<TResponse>(Task<TResponse> call, ServerCallContext context)
    {
        var reply = await call;
        Choose(reply, context);
        return reply;
    }

    private void Choose<TResponse>(TResponse reply, ServerCallContext context)
    {
        if (reply is IMessage message && message.CalculateSize() < settings.CompressionMinMessageBytes)
        {
            context.WriteOptions = Uncompressed;
        }
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        continuation(request, new SizeAwareCompressionWriter<TResponse>(responseStream, settings.CompressionMinMessageBytes), context);
}
