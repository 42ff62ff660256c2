using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Grpc.Core;
using Liiklus.Actors.Receiving;
using Liiklus.Api.Grpc;
using Liiklus.Protocol;
using Liiklus.Storage.Records;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Api.Grpc;

/// <summary>
/// How a Receive call writes what the core hands it: hinted writes share a flush, nothing at rest is left unflushed,
/// and a batch's bytes go back to the stream only once its records are flushed.
/// </summary>
public sealed class StreamDrainSpecs
{
    private const int RecordBytes = StoredRecord.OverheadBytes + 3;
    private readonly Channel<ReceivedBatch> _batches = Channel.CreateUnbounded<ReceivedBatch>();
    private readonly StreamByteAllowance _allowance = new(long.MaxValue / 4, ByteBudget.Unbounded());
    private readonly RecordingWriter _writer;
    private int _flushes;

    public StreamDrainSpecs() => _writer = new RecordingWriter(_allowance);

    [Fact]
    public async Task Records_at_hand_are_written_hinted_and_the_last_one_flushes_them_before_their_bytes_go_back()
    {
        Hand(0, 2);
        Hand(2, 1);
        _batches.Writer.Complete();

        await DrainAsync(_ => true);

        Assert.Equal([true, true, false], _writer.Writes.Select(w => w.Hinted));
        // While hinted, nothing had been flushed: every batch's bytes were still held.
        Assert.Equal([3L * RecordBytes, 3L * RecordBytes, 3L * RecordBytes], _writer.Writes.Select(w => w.HeldWhileWriting));
        Assert.Equal(0, _allowance.Held);
    }

    [Fact]
    public async Task Hinted_writes_stop_at_the_unflushed_byte_cap()
    {
        // Each batch says it is 40 KB: two of them pass the 64 KB a stream may leave unflushed.
        for (var i = 0; i < 4; i++)
        {
            Hand(i, 1, bytes: 40 * 1024);
        }

        _batches.Writer.Complete();

        await DrainAsync(_ => true);

        Assert.Equal([true, false, true, false], _writer.Writes.Select(w => w.Hinted));
        Assert.Equal(0, _allowance.Held);
    }

    [Fact]
    public async Task A_batch_dropped_whole_flushes_the_hinted_writes_before_it_when_nothing_more_is_at_hand()
    {
        Hand(0, 1);
        Hand(1, 1);
        var drained = DrainAsync(record => record.Offset != 1);

        await Eventually.Until(() => Task.FromResult((_flushes, _allowance.Held)), seen => seen == (1, 0L), "the flush of the record before the dropped one");
        _batches.Writer.Complete();
        await drained;

        Assert.Equal([true], _writer.Writes.Select(w => w.Hinted));
    }

    [Fact]
    public async Task A_quiet_streams_record_is_flushed_at_once_without_waiting_a_turn_for_more()
    {
        Hand(0, 1);
        // The next record comes just after the drain first looks for more: a drain that waited a turn would see it and
        // hold the first record back (hinted) to share a flush with it.
        var reader = new ArrivingAfterFirstLook(_batches, () =>
        {
            Hand(1, 1);
            _batches.Writer.Complete();
        });

        await DrainAsync(_ => true, reader);

        Assert.Equal([(0UL, false), (1UL, false)], _writer.Writes.Select(w => (w.Offset, w.Hinted)));
        Assert.Equal(0, _allowance.Held);
    }

    [Fact]
    public async Task A_stream_that_ends_with_an_error_rethrows_it_after_writing_what_came_before()
    {
        Hand(0, 1);
        _batches.Writer.Complete(new InvalidOperationException("revoked"));

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => DrainAsync(_ => true));

        Assert.Equal("revoked", thrown.Message);
        Assert.Single(_writer.Writes);
    }

    [Fact]
    public async Task A_stream_at_rest_keeps_no_payload_it_wrote()
    {
        var payloads = HandTracked(0, 3);
        var stream = new ReceiveStream(_batches.Reader, _allowance, new DeliveryWatermark(), () => { });
        var drained = StreamDrain.DrainRecordsAsync(
            stream,
            _writer,
            (record, replay, reusable) => ReplyMapping.ToReply(record, replay, ReceiveRequest.Types.ContentFormat.Binary, reusable),
            () => Task.CompletedTask,
            CancellationToken.None);

        // Written and delivered, the drain waits for the next batch.
        await Eventually.Until(() => Task.FromResult(_allowance.Held), held => held == 0, "the batch written and its bytes given back");
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();

        Assert.Equal(3, _writer.Writes.Count);
        Assert.All(payloads, payload => Assert.False(payload.TryGetTarget(out _), "a written record's value is still held by the idle stream"));

        _batches.Writer.Complete();
        await drained;
    }

    // Not inlined: the records must not stay reachable from the spec's own frame.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private List<WeakReference<byte[]>> HandTracked(long from, int count)
    {
        var records = Enumerable.Range(0, count)
            .Select(i => new StoredRecord(0, from + i, null, [1, 2, 3], [], DateTimeOffset.UtcNow))
            .ToArray();
        Assert.True(_allowance.TryTake((long)count * RecordBytes));
        Assert.True(_batches.Writer.TryWrite(new ReceivedBatch(records, (long)count * RecordBytes, replayUntil: -1)));
        return [.. records.Select(record => new WeakReference<byte[]>(record.Value))];
    }

    private void Hand(long from, int count, long? bytes = null)
    {
        var records = Enumerable.Range(0, count)
            .Select(i => new StoredRecord(0, from + i, null, [1, 2, 3], [], DateTimeOffset.UtcNow))
            .ToArray();
        var charged = bytes ?? (long)count * RecordBytes;
        Assert.True(_allowance.TryTake(charged));
        Assert.True(_batches.Writer.TryWrite(new ReceivedBatch(records, charged, replayUntil: -1)));
    }

    private Task DrainAsync(Func<StoredRecord, bool> keep, ChannelReader<ReceivedBatch>? reader = null)
    {
        var stream = new ReceiveStream(reader ?? _batches.Reader, _allowance, new DeliveryWatermark(), () => { });
        return StreamDrain.DrainRecordsAsync(
            stream,
            _writer,
            (record, _, _) => keep(record) ? new ReceiveReply { Record = new ReceiveReply.Types.Record { Offset = (ulong)record.Offset } } : null,
            () =>
            {
                Interlocked.Increment(ref _flushes);
                return Task.CompletedTask;
            },
            CancellationToken.None);
    }

    /// <summary>The core's channel, where <paramref name="arrive"/> hands more over right after the drain's first look for more.</summary>
    private sealed class ArrivingAfterFirstLook(Channel<ReceivedBatch> inner, Action arrive) : ChannelReader<ReceivedBatch>
    {
        private bool _looked;

        public override bool CanPeek => true;

        public override Task Completion => inner.Reader.Completion;

        public override bool TryRead([MaybeNullWhen(false)] out ReceivedBatch item) => inner.Reader.TryRead(out item);

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => inner.Reader.WaitToReadAsync(cancellationToken);

        public override bool TryPeek([MaybeNullWhen(false)] out ReceivedBatch item)
        {
            var seen = inner.Reader.TryPeek(out item);
            if (!_looked)
            {
                _looked = true;
                arrive();
            }

            return seen;
        }
    }

    /// <summary>The call's response stream as the drain sees it: what was written, hinted or not, and what was held then.</summary>
    private sealed class RecordingWriter(StreamByteAllowance allowance) : IServerStreamWriter<ReceiveReply>
    {
        public List<(ulong Offset, bool Hinted, long HeldWhileWriting)> Writes { get; } = [];

        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(ReceiveReply message)
        {
            Writes.Add((message.Record.Offset, WriteOptions?.Flags.HasFlag(WriteFlags.BufferHint) == true, allowance.Held));
            return Task.CompletedTask;
        }
    }
}
