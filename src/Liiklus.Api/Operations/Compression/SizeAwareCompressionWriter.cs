using Google.Protobuf;
using Grpc.Core;
using Liiklus.Protocol;

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

    // A record reply's bytes beyond its key and value at most: the tags and lengths of the reply, the record and its
    // fields, a 10-byte offset and a timestamp of two varints, and the replay flag.
    private const int MaxRecordFraming = 64;

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        var small = IsSmall(message);
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

    // The write serializes the message, which sizes it again: a record reply, written per record, is judged by its
    // payload's length where that alone decides, so it is sized once instead of twice.
    private bool IsSmall(T message)
    {
        if (message is ReceiveReply { Record: { } record })
        {
            var payload = (long)record.Key.Length + record.Value.Length;
            if (payload >= minCompressedBytes)
            {
                return false;
            }

            if (payload + MaxRecordFraming < minCompressedBytes)
            {
                return true;
            }
        }

        return message is IMessage protobuf && protobuf.CalculateSize() < minCompressedBytes;
    }
}
