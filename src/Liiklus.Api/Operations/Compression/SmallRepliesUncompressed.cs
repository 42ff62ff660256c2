using Google.Protobuf;
using Grpc.Core;
using Liiklus.Api.Configuration;

namespace Liiklus.Api.Operations.Compression;

/// <summary>
/// Replies smaller than <see cref="OperationsSettings.CompressionMinMessageBytes"/> go out uncompressed even to clients
/// that accept gzip: gRPC flags compression per message, every client reads both, and gzip makes a small message larger
/// while costing the node several times what writing it does. Larger replies are compressed as configured. Registered
/// only when replies are compressed; <see cref="Grpc.GatewayCallInterceptor"/> applies it to every call.
/// </summary>
public sealed class SmallRepliesUncompressed(OperationsSettings settings)
{
    private static readonly WriteOptions Uncompressed = new(WriteFlags.NoCompress);

    /// <summary>The size from which replies are compressed.</summary>
    public int MinCompressedBytes => settings.CompressionMinMessageBytes;

    /// <summary>Sends a unary call's <paramref name="reply"/> uncompressed when it is small.</summary>
    public void Choose<TResponse>(TResponse reply, ServerCallContext context)
    {
        if (reply is IMessage message && message.CalculateSize() < settings.CompressionMinMessageBytes)
        {
            context.WriteOptions = Uncompressed;
        }
    }

    /// <summary>A streaming call's response stream that writes its small messages uncompressed.</summary>
    public IServerStreamWriter<TResponse> Writer<TResponse>(IServerStreamWriter<TResponse> responseStream) =>
        new SizeAwareCompressionWriter<TResponse>(responseStream, settings.CompressionMinMessageBytes);
}
