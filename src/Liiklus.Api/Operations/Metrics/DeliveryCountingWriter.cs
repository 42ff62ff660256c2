using System.Diagnostics.Metrics;
using Grpc.Core;
using Liiklus.Api.Grpc;
using Liiklus.Protocol;

namespace Liiklus.Api.Operations.Metrics;

/// <summary>
/// A Receive call's response stream that counts the records written through it, adding them to the counter when a write
/// is flushed (not hinted to wait for more) or the call flushes, rather than once per record. It sits on the
/// <see cref="FramedReplyWriter"/> that GatewayCallInterceptor puts under every Receive stream, so that a flush it
/// counts is one that sent what the hinted writes left.
/// </summary>
internal sealed class DeliveryCountingWriter(FramedReplyWriter inner, Counter<long> delivered, string topic)
    : IServerStreamWriter<ReceiveReply>, IFlushingStreamWriter
{
    private readonly KeyValuePair<string, object?> _topic = new("topic", topic);
    private long _unreported;

    public WriteOptions? WriteOptions
    {
        get => inner.WriteOptions;
        set => inner.WriteOptions = value;
    }

    public Task WriteAsync(ReceiveReply message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(ReceiveReply message, CancellationToken cancellationToken)
    {
        // A hinted write completes at once (nothing is flushed): counted without an async state machine per record.
        var writing = inner.WriteAsync(message, cancellationToken);
        if (!writing.IsCompletedSuccessfully)
        {
            return CountWhenWrittenAsync(writing);
        }

        Written();
        return Task.CompletedTask;
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await inner.FlushAsync(cancellationToken);
        Flush();
    }

    private async Task CountWhenWrittenAsync(Task writing)
    {
        await writing;
        Written();
    }

    private void Written()
    {
        _unreported++;
        if (inner.WriteOptions is not { Flags: var flags } || (flags & WriteFlags.BufferHint) == 0)
        {
            Flush();
        }
    }

    public void Flush()
    {
        if (_unreported > 0)
        {
            delivered.Add(_unreported, _topic);
            _unreported = 0;
        }
    }
}
