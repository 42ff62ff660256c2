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
    /// Writes the replies of everything the core hands over until it completes the channel; a channel completed
    /// with an error rethrows it. While more replies are at hand, writes are hinted so several share one flush (at
    /// most <see cref="MaxWritesPerFlush"/>); the last one at hand is written unhinted, so a quiet stream never
    /// leaves a record unsent.
    /// </summary>
    public static async Task DrainAsync<T, TReply>(
        ChannelReader<T> reader,
        IServerStreamWriter<TReply> writer,
        Func<T, IReadOnlyList<TReply>> toReplies,
        CancellationToken cancellationToken)
    {
        var unflushed = 0;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out var item))
            {
                var replies = toReplies(item);
                for (var i = 0; i < replies.Count; i++)
                {
                    var hint = ++unflushed < MaxWritesPerFlush && (i < replies.Count - 1 || await MoreAtHandAsync(reader));
                    if (!hint)
                    {
                        unflushed = 0;
                    }

                    writer.WriteOptions = hint ? Buffered : null;
                    await writer.WriteAsync(replies[i], cancellationToken);
                }
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
