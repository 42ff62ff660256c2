using Google.Protobuf;
using Grpc.Core;

namespace Liiklus.Api.Operations.Compression;

/// <summary>
/// A response stream that adds <see cref="WriteFlags.NoCompress"/> to the writes of messages below a size, keeping
/// whatever else the caller asked for (a buffer hint, say).
/// </summary>
internal sealed class SizeAwareCompressionWriter<T>(IServerStreamWriter<T> inner, int minCompressedBytes) : IServerStreamWriter<T>
{
    // One instance per combination, so that no write allocates options.
    private static readonly WriteOptions Hinted = new(WriteFlags.BufferHint);
    private static readonly WriteOptions Uncompressed = new(WriteFlags.NoCompress);
    private static readonly WriteOptions HintedUncompressed = new(WriteFlags.BufferHint | WriteFlags.NoCompress);

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        var small = message is IMessage protobuf && protobuf.CalculateSize() < minCompressedBytes;
        var flags = (WriteOptions?.Flags ?? 0) | (small ? WriteFlags.NoCompress : 0);
        inner.WriteOptions = flags switch
        {
            0 => null,
            WriteFlags.BufferHint => Hinted,
            WriteFlags.NoCompress => Uncompressed,
            WriteFlags.BufferHint | WriteFlags.NoCompress => HintedUncompressed,
            _ => new WriteOptions(flags),
        };
        return inner.WriteAsync(message, cancellationToken);
    }
}
