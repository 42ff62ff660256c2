using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Confluent.Kafka;
using Liiklus.Storage.Cold;
using Liiklus.Storage.Cold.Archiving;

namespace Liiklus.Storage.Records.Kafka;

/// <summary>
/// An archiver's reader of one partition: a consumer of its own, on a thread of its own (its polls block), assigned at
/// an exact offset, reading committed records only and told (not moved) when retention deleted its next offset. It
/// hands batches over through a small bounded channel, so it reads only as far ahead as the archiver takes.
/// </summary>
internal sealed class KafkaArchiveReader : IArchiveReader
{
    private const int BatchRecords = 2_000;
    private const long BatchBytes = 1024 * 1024;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private readonly KafkaRecordsOptions _options;
    private readonly Action<LogMessage> _log;
    private readonly TopicPartition _topicPartition;
    private readonly Channel<ArchiveBatch> _batches = Channel.CreateBounded<ArchiveBatch>(new BoundedChannelOptions(2)
    {
        SingleReader = true,
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    // The archiver's side: the next offset of the last batch it took.
    private long _handedOver;
    // The reader thread's side: the next offset of the last batch it handed over.
    private long _produced;
    private int _started;

    public KafkaArchiveReader(KafkaRecordsOptions options, Action<LogMessage> log, string topic, int partition, long offset)
    {
        _options = options;
        _log = log;
        _topicPartition = new TopicPartition(topic, partition);
        _handedOver = offset;
        _produced = offset;
        _thread = new Thread(() => Run(offset)) { IsBackground = true, Name = $"liiklus-cold-archive-{topic}-{partition}" };
    }

    public async Task<ArchiveBatch> ReadAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _thread.Start();
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(wait);
        try
        {
            if (await _batches.Reader.WaitToReadAsync(bounded.Token).ConfigureAwait(false) && _batches.Reader.TryRead(out var batch))
            {
                _handedOver = batch.NextOffset;
                return batch;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ArchiveBatch([], _handedOver, 0);
        }
        catch (ChannelClosedException e) when (e.InnerException is { } cause)
        {
            ExceptionDispatchInfo.Throw(cause);
        }

        // Completed: with the reader's failure, or because it was disposed.
        await _batches.Reader.Completion.ConfigureAwait(false);
        throw new ObjectDisposedException(nameof(KafkaArchiveReader));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _started) == 1)
        {
            // Closing a consumer may wait for the brokers: waited for off the caller's thread.
            await Task.Factory.StartNew(() => _thread.Join(TimeSpan.FromSeconds(10)), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                .ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private void Run(long offset)
    {
        IConsumer<byte[]?, byte[]?>? consumer = null;
        try
        {
            consumer = new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Consumer(_options, failBelowRetention: true))
                .SetLogHandler((_, message) => _log(message))
                .SetErrorHandler((_, error) => _log(KafkaErrors.AsLogMessage("cold-archiver", error)))
                .Build();
            consumer.Assign(new TopicPartitionOffset(_topicPartition, offset));
            ReadUntilStopped(consumer, offset);
            _batches.Writer.TryComplete();
        }
        catch (OperationCanceledException)
        {
            _batches.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _batches.Writer.TryComplete(e);
        }
        finally
        {
            if (consumer is not null)
            {
                try
                {
                    consumer.Close();
                }
                catch (KafkaException e)
                {
                    _log(new LogMessage("cold-archiver", SyslogLevel.Warning, "CLOSE", $"closing failed: {e.Error}"));
                }

                consumer.Dispose();
            }
        }
    }

    private void ReadUntilStopped(IConsumer<byte[]?, byte[]?> consumer, long offset)
    {
        var next = offset;
        var records = new List<ColdRecord>();
        long bytes = 0;
        while (!_stop.IsCancellationRequested)
        {
            ConsumeResult<byte[]?, byte[]?>? result;
            try
            {
                result = consumer.Consume(Poll);
            }
            catch (ConsumeException e) when (e.Error.Code == ErrorCode.Local_AutoOffsetReset)
            {
                HandOver(records, next, bytes);
                throw new OffsetBelowRetentionException(_topicPartition.Topic, _topicPartition.Partition.Value, next);
            }
            catch (ConsumeException e) when (!e.Error.IsFatal)
            {
                HandOver(records, next, bytes);
                throw KafkaErrors.Unavailable(e.Error, $"archiving {_topicPartition}");
            }

            if (result?.Message is { } message)
            {
                var record = ToColdRecord(result.Offset.Value, message);
                records.Add(record);
                bytes += record.SizeInBytes;
                next = result.Offset.Value + 1;
                if (records.Count < BatchRecords && bytes < BatchBytes)
                {
                    continue;
                }
            }
            else if (consumer.Position(_topicPartition) is { Value: >= 0 } position && position.Value > next)
            {
                // Caught up past offsets that hold no record (transaction markers): they are covered too.
                next = position.Value;
            }

            if (records.Count > 0 || next > _produced)
            {
                HandOver(records, next, bytes);
                records = [];
                bytes = 0;
            }
        }
    }

    /// <summary>Blocks this reader's own thread while the archiver has not taken the previous batches.</summary>
    private void HandOver(List<ColdRecord> records, long next, long bytes)
    {
        if (records.Count == 0 && next <= _produced)
        {
            return;
        }

        var batch = new ArchiveBatch(records, next, bytes);
        while (!_batches.Writer.TryWrite(batch))
        {
            _batches.Writer.WaitToWriteAsync(_stop.Token).AsTask().GetAwaiter().GetResult(); // the reader's own thread
        }

        _produced = next;
    }

    private static ColdRecord ToColdRecord(long offset, Message<byte[]?, byte[]?> message)
    {
        var headers = message.Headers is { Count: > 0 } kafkaHeaders
            ? kafkaHeaders.Select(h => new ColdHeader(h.Key, h.GetValueBytes())).ToArray()
            : [];
        return new ColdRecord(
            offset,
            message.Timestamp.UnixTimestampMs,
            (ColdTimestampType)(byte)message.Timestamp.Type,
            message.Key,
            message.Value,
            headers);
    }
}
