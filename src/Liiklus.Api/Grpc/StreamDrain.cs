using System.Threading.Channels;
using Grpc.Core;

namespace Liiklus.Api.Grpc;

internal static class StreamDrain
{
    private static readonly WriteOptions Buffered = new(WriteFlags.BufferHint);

    // A hinted write is not flushed, and only a flush waits for a slow client (HTTP/2 flow control): without a
    // cap, a stream whose records keep coming would pile everything into the response buffer.
    private const int MaxWritesPerFlush = 128;

    /// <summary>
    /// Writes everything the core hands over until it completes the channel; a channel completed with an error
    /// rethrows it. While more items are already waiting, writes are hinted so several share one flush (at most
    /// <see cref="MaxWritesPerFlush"/>); the last one at hand is written unhinted, so a quiet stream never leaves
    /// a record unsent.
    /// </summary>
    public static async Task DrainAsync<T, TReply>(
        ChannelReader<T> reader,
        IServerStreamWriter<TReply> writer,
        Func<T, TReply> toReply,
        CancellationToken cancellationToken)
    {
        var unflushed = 0;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out var item))
            {
                var hint = ++unflushed < MaxWritesPerFlush && await MoreAtHandAsync(reader);
                if (!hint)
                {
                    unflushed = 0;
                }

                writer.WriteOptions = hint ? Buffered : null;
                await writer.WriteAsync(toReply(item), cancellationToken);
            }
        }

        await reader.Completion;
    }

    // The core hands records over from another thread; give it one turn to catch up before paying for a flush.
    private static async ValueTask<bool> MoreAtHandAsync<T>(ChannelReader<T> reader)
    {
        if (reader.TryPeek(out _))
        {
            return true;
        }

        await Task.Yield();
        return reader.TryPeek(out _);
    }
}
