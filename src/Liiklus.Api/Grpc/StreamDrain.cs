using Grpc.Core;
using Liiklus.Actors.Receiving;
using Liiklus.Actors.Subscriptions;
using Liiklus.Protocol;
using Liiklus.Storage.Records;

namespace Liiklus.Api.Grpc;

/// <summary>Writes what the core hands a streaming call into its response stream.</summary>
internal static class StreamDrain
{
    private static readonly WriteOptions Buffered = new(WriteFlags.BufferHint);

    // A hinted write is not flushed, and only a flush waits for a slow client (HTTP/2 flow control): without a cap in
    // bytes, a stream whose records keep coming would pile them all into the response buffer.
    private const long MaxUnflushedBytes = 64 * 1024;

    public static async Task DrainAssignmentsAsync(Subscription subscription, IServerStreamWriter<SubscribeReply> writer, CancellationToken cancellationToken)
    {
        var reader = subscription.Assignments;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out var assigned))
            {
                await writer.WriteAsync(
                    new SubscribeReply { Assignment = new Assignment { SessionId = assigned.SessionId, Partition = (uint)assigned.Partition } },
                    cancellationToken);
            }
        }

        // A subscription that ended with an error rethrows it here.
        await reader.Completion;
    }

    /// <summary>
    /// The reply for a record (whether it is a replay): <c>reusable</c> filled in, or a reply of its own; null for a record
    /// not to be written (dropped by a post-processor).
    /// </summary>
    public delegate ReceiveReply? ReplyMapper(StoredRecord record, bool replay, ReceiveReply reusable);

    /// <summary>
    /// Writes every record the stream hands over until the core completes it; a stream completed with an error rethrows
    /// it. While more records are at hand, writes are hinted so several share one flush (at most
    /// <see cref="MaxUnflushedBytes"/>); the last one at hand is written unhinted, so a quiet stream never leaves a record
    /// unsent. Before that last write, a stream whose records kept coming gives the core one turn to hand over more (one
    /// flush for both); a stream found quiet the last time writes at once, so a lone record does not wait a turn for
    /// nothing. A batch's bytes go back to the stream once all of its records have been flushed. A record
    /// <paramref name="toReply"/> answers null for (dropped by a post-processor) is not written. Each record is mapped
    /// just before the one ahead of it is written, into one of two replies that take turns: the write of one has
    /// serialized it by the time it is filled again, so no reply is allocated per record.
    /// </summary>
    /// <param name="flush">sends what hinted writes left in the response buffer</param>
    public static async Task DrainRecordsAsync(
        ReceiveStream stream,
        IServerStreamWriter<ReceiveReply> writer,
        ReplyMapper toReply,
        Func<Task> flush,
        CancellationToken cancellationToken)
    {
        var reader = stream.Batches;
        var written = new List<ReceivedBatch>(2);
        ReceiveReply[] reusable = [ReplyMapping.NewReusable(), ReplyMapping.NewReusable()];
        var turn = 0;
        long unflushed = 0;
        var flowing = false;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out var batch))
            {
                var bytesPerRecord = batch.Bytes / Math.Max(1, batch.Count);
                ReceiveReply? ahead = null;
                foreach (var chunk in batch.Chunks)
                {
                    for (var i = 0; i < chunk.Count; i++)
                    {
                        var record = chunk[i];
                        if (toReply(record, batch.IsReplay(record), reusable[turn]) is not { } reply)
                        {
                            continue;
                        }

                        turn ^= 1;
                        if (ahead is not null)
                        {
                            // More of this batch follows: hinted, unless the cap calls for a flush.
                            unflushed += bytesPerRecord;
                            var hinted = unflushed < MaxUnflushedBytes;
                            writer.WriteOptions = hinted ? Buffered : null;
                            await writer.WriteAsync(ahead, cancellationToken);
                            if (!hinted)
                            {
                                unflushed = 0;
                                Delivered(stream, written);
                            }
                        }

                        ahead = reply;
                    }
                }

                written.Add(batch);
                if (ahead is null)
                {
                    // Nothing of it to write. Hinted writes before it were left for this batch to flush: when nothing
                    // more is at hand, flush them now, or they would wait (and hold their bytes) for the next record.
                    if (unflushed > 0 && !(flowing = await MoreAtHandAsync(reader, flowing)))
                    {
                        await flush();
                        unflushed = 0;
                    }

                    if (unflushed == 0)
                    {
                        Delivered(stream, written);
                    }

                    continue;
                }

                unflushed += bytesPerRecord;
                var hint = unflushed < MaxUnflushedBytes && (flowing = await MoreAtHandAsync(reader, flowing));
                writer.WriteOptions = hint ? Buffered : null;
                await writer.WriteAsync(ahead, cancellationToken);
                if (!hint)
                {
                    unflushed = 0;
                    Delivered(stream, written);
                }

                if (!hint)
                {
                    // At rest until the next batch: its reusable replies must not keep the last records' payloads alive.
                    ReplyMapping.Forget(reusable[0]);
                    ReplyMapping.Forget(reusable[1]);
                }
            }
        }

        await reader.Completion;
    }

    private static void Delivered(ReceiveStream stream, List<ReceivedBatch> flushed)
    {
        foreach (var batch in flushed)
        {
            stream.Delivered(batch);
        }

        flushed.Clear();
    }

    // The core hands records over from another thread; while they keep coming (flowing), give it one turn to catch up
    // before paying for a flush.
    private static async ValueTask<bool> MoreAtHandAsync<T>(System.Threading.Channels.ChannelReader<T> reader, bool flowing)
    {
        if (reader.TryPeek(out _))
        {
            return true;
        }

        if (!flowing)
        {
            return false;
        }

        await Task.Yield();
        return reader.TryPeek(out _);
    }
}
