using System.Threading.Channels;
using Grpc.Core;

namespace Liiklus.Api.Grpc;

internal static class StreamDrain
{
    private static readonly WriteOptions Buffered = new(WriteFlags.BufferHint);

    /// <summary>
    /// Writes everything the core hands over until it completes the channel; a channel completed with an error
    /// rethrows it. While more items are already waiting, writes are hinted so several share one flush; the
    /// last one at hand is written unhinted, so a quiet stream never leaves a record unsent.
    /// </summary>
    public static async Task DrainAsync<T, TReply>(
        ChannelReader<T> reader,
        IServerStreamWriter<TReply> writer,
        Func<T, TReply> toReply,
        CancellationToken cancellationToken)
    {
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out var item))
            {
                writer.WriteOptions = await MoreAtHandAsync(reader) ? Buffered : null;
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
