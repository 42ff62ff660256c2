using Akka.Actor;
using Akka.Event;
using Liiklus.Storage.Cold;
using Liiklus.Storage.Cold.Archiving;
using Liiklus.Storage.Cold.Telemetry;
using Liiklus.Storage.Records;

namespace Liiklus.Actors.Cold;

/// <summary>
/// Copies one partition from Kafka to the cold store, one sharded entity per (topic, partition) in the cluster. It
/// resumes from what the store says is archived (the store is the truth, so a crash, a restart elsewhere or a racing
/// archiver loses and repeats nothing), reads on a consumer of its own, and cuts a segment when its records reach
/// the size bound or it has been open for the age bound. A range counts as archived only once the store acknowledged
/// its upload. When retention deleted offsets before they were archived, it records them as a gap in the store and
/// in the gap metric, and goes on from Kafka's earliest offset: nothing is skipped silently.
/// </summary>
public sealed class PartitionArchiver : ReceiveActor, IWithTimers
{
    private readonly string _topic;
    private readonly int _partition;
    private readonly IColdStore _store;
    private readonly IArchiveSource _source;
    private readonly ColdMetrics _metrics;
    private readonly ColdArchiveSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<ColdRecord> _pending = [];
    private IArchiveReader? _reader;
    private long _pendingBase = -1;
    private long _pendingNext = -1;
    private long _pendingBytes;
    private DateTimeOffset? _pendingSince;
    private bool _uploading;
    private bool _reading;
    // Tags the replies of a reader and its uploads: those of a reader closed since are ignored.
    private int _generation;
    private bool _resumeAfterUpload;
    private long _gaps;
    private ColdPartitionProgress _progress;

    public PartitionArchiver(
        string topic,
        int partition,
        IColdStore store,
        IArchiveSource source,
        ColdMetrics metrics,
        ColdArchiveSettings settings)
    {
        _topic = topic;
        _partition = partition;
        _store = store;
        _source = source;
        _metrics = metrics;
        _settings = settings;
        _progress = new ColdPartitionProgress(topic, partition, -1, -1, -1, 0, DateTimeOffset.UtcNow);
        Starting();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The entity for a sharded archiver whose entity id is <paramref name="entityId"/> (see <see cref="ArchivePartitionExtractor"/>).</summary>
    public static Props Props(string topic, int partition, IColdStore store, IArchiveSource source, ColdMetrics metrics, ColdArchiveSettings settings) =>
        Akka.Actor.Props.Create(() => new PartitionArchiver(topic, partition, store, source, metrics, settings));

    protected override void PreStart()
    {
        Self.Tell(Resume.Instance);
        Timers.StartPeriodicTimer("refresh", RefreshOffsets.Instance, _settings.DiscoveryInterval);
    }

    protected override void PostStop()
    {
        CloseReader();
        _metrics.Forget(_topic, _partition);
    }

    private void Starting()
    {
        Receive<Resume>(_ => StartResuming());
        Receive<Resumed>(resumed =>
        {
            if (resumed.Gap is { } gap)
            {
                _gaps++;
                _metrics.GapWritten(_topic, gap.To - gap.From);
                _log.Error(
                    "Retention deleted offsets [{From}, {To}) of {Topic}/{Partition} before they were archived; recorded as a gap in the cold store",
                    gap.From, gap.To, _topic, _partition);
            }

            Report(archived: resumed.Start, resumed.Earliest, resumed.End);
            _pendingBase = resumed.Start;
            _pendingNext = resumed.Start;
            _generation++;
            _reader = _source.OpenArchiveReader(_topic, _partition, resumed.Start);
            _log.Info("Archiving {Topic}/{Partition} from offset {Offset}", _topic, _partition, resumed.Start);
            Become(Archiving);
            ReadNext();
        });
        Receive<ResumeFailed>(failed =>
        {
            _log.Warning("Archiver of {Topic}/{Partition} could not resume, retrying in {Backoff}: {Reason}", _topic, _partition, _settings.RetryBackoff, failed.Cause.Message);
            Timers.StartSingleTimer("resume", Resume.Instance, _settings.RetryBackoff);
        });
        CommonReceives();
    }

    private void Archiving()
    {
        Receive<BatchRead>(read => read.Generation == _generation, read =>
        {
            _reading = false;
            OnBatch(read.Batch);
        });
        Receive<ReadFailed>(failed => failed.Generation == _generation, failed =>
        {
            _reading = false;
            CloseReader();
            if (failed.Cause is OffsetBelowRetentionException)
            {
                _log.Warning("Retention deleted offset {Offset} of {Topic}/{Partition} before it was archived", _pendingNext, _topic, _partition);
                _resumeAfterUpload = true;
                if (!_uploading)
                {
                    UploadOrResume();
                }

                return;
            }

            _log.Warning("Archiver of {Topic}/{Partition} failed reading Kafka, resuming in {Backoff}: {Reason}", _topic, _partition, _settings.RetryBackoff, failed.Cause.Message);
            RestartAfterBackoff();
        });
        Receive<Uploaded>(uploaded => uploaded.Generation == _generation, OnUploaded);
        Receive<UploadFailed>(failed => failed.Generation == _generation, failed =>
        {
            _uploading = false;
            _log.Warning("Archiver of {Topic}/{Partition} failed writing [{Base}, {Next}) to the cold store, retrying in {Backoff}: {Reason}", _topic, _partition, _pendingBase, _pendingNext, _settings.RetryBackoff, failed.Cause.Message);
            Timers.StartSingleTimer("upload", RetryUpload.Instance, _settings.RetryBackoff);
        });
        Receive<RetryUpload>(_ => Upload());
        Receive<ReadMore>(_ => ReadNext());
        Receive<Resume>(_ => { });
        CommonReceives();
    }

    private void CommonReceives()
    {
        Receive<ArchivePartition>(_ => { });
        Receive<RefreshOffsets>(_ => ReadOffsetsAsync().PipeTo(Self, success: o => o, failure: _ => OffsetsUnknown.Instance));
        Receive<KafkaOffsets>(offsets => Report(_progress.ArchivedNext, offsets.Earliest, offsets.End));
        Receive<OffsetsUnknown>(_ => { });
        // Replies of a reader or an upload from before a restart.
        Receive<BatchRead>(_ => { });
        Receive<ReadFailed>(_ => { });
        Receive<Uploaded>(_ => { });
        Receive<UploadFailed>(_ => { });
        Receive<RetryUpload>(_ => { });
        Receive<ReadMore>(_ => { });
    }

    private void StartResuming()
    {
        CloseReader();
        _reading = false;
        _pending.Clear();
        _pendingBytes = 0;
        _pendingSince = null;
        _uploading = false;
        _resumeAfterUpload = false;
        Become(Starting);
        ResumeAsync().PipeTo(Self, success: r => r, failure: e => new ResumeFailed(e));
    }

    private void RestartAfterBackoff()
    {
        CloseReader();
        _reading = false;
        Become(Starting);
        Timers.StartSingleTimer("resume", Resume.Instance, _settings.RetryBackoff);
    }

    /// <summary>From the store's archived offset; a gap first when retention deleted what follows it.</summary>
    private async Task<Resumed> ResumeAsync()
    {
        var archived = await _store.GetArchivedNextAsync(_topic, _partition, CancellationToken.None).ConfigureAwait(false);
        var offsets = await ReadOffsetsAsync().ConfigureAwait(false);
        // A partition archived for the first time starts at what Kafka holds: what retention deleted before cold
        // storage was turned on was never the archiver's to keep.
        var start = archived ?? offsets.Earliest;
        if (start < offsets.Earliest)
        {
            var gap = await _store.WriteGapAsync(_topic, _partition, start, offsets.Earliest, CancellationToken.None).ConfigureAwait(false);
            if (gap.Outcome == ColdWriteOutcome.Conflict)
            {
                throw new InvalidOperationException($"another archiver wrote [{start}, {offsets.Earliest}) first; the store's archived offset is {gap.ArchivedNext}");
            }

            return new Resumed(offsets.Earliest, offsets.Earliest, offsets.End, new GapRecorded(start, offsets.Earliest));
        }

        return new Resumed(start, offsets.Earliest, offsets.End, null);
    }

    private async Task<KafkaOffsets> ReadOffsetsAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (earliest, end) = await _source.RetainedRangeAsync(_topic, _partition, deadline.Token).ConfigureAwait(false);
        return new KafkaOffsets(earliest, end);
    }

    private void ReadNext()
    {
        if (_reader is null || _reading)
        {
            return;
        }

        _reading = true;
        var wait = TimeSpan.FromSeconds(1);
        if (_pendingSince is { } since)
        {
            var left = since + _settings.SegmentMaxAge - DateTimeOffset.UtcNow;
            wait = left < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : left < wait ? left : wait;
        }

        var generation = _generation;
        _reader.ReadAsync(wait, CancellationToken.None).PipeTo(Self, success: b => new BatchRead(b, generation), failure: e => new ReadFailed(e, generation));
    }

    private void OnBatch(ArchiveBatch batch)
    {
        _pending.AddRange(batch.Records);
        _pendingBytes += batch.Bytes;
        if (batch.NextOffset > _pendingNext)
        {
            _pendingNext = batch.NextOffset;
            _pendingSince ??= DateTimeOffset.UtcNow;
        }

        var full = _pendingBytes >= _settings.SegmentMaxBytes;
        var old = _pendingSince is { } since && DateTimeOffset.UtcNow - since >= _settings.SegmentMaxAge;
        if (!_uploading && _pendingNext > _pendingBase && (full || old))
        {
            Upload();
            // Reads on while a full segment uploads only when the next one has room: memory stays within two segments.
            if (!full)
            {
                ReadNext();
            }

            return;
        }

        if (_uploading && full)
        {
            // Waits for the upload before reading more.
            return;
        }

        ReadNext();
    }

    private void UploadOrResume()
    {
        if (_pendingNext > _pendingBase)
        {
            Upload();
        }
        else
        {
            StartResuming();
        }
    }

    private void Upload()
    {
        if (_uploading || _pendingNext <= _pendingBase)
        {
            return;
        }

        _uploading = true;
        var (from, next, bytes) = (_pendingBase, _pendingNext, _pendingBytes);
        var records = _pending.ToArray();
        var generation = _generation;
        _store.WriteSegmentAsync(_topic, _partition, from, next, records, CancellationToken.None)
            .PipeTo(Self, success: result => new Uploaded(result, from, next, bytes, records.Length, generation), failure: e => new UploadFailed(e, generation));
    }

    private void OnUploaded(Uploaded uploaded)
    {
        _uploading = false;
        if (uploaded.Write.Outcome == ColdWriteOutcome.Conflict)
        {
            _log.Warning(
                "Another archiver wrote part of [{Base}, {Next}) of {Topic}/{Partition} first; resuming from the store's archived offset {Archived}",
                uploaded.Base, uploaded.Next, _topic, _partition, uploaded.Write.ArchivedNext);
            StartResuming();
            return;
        }

        if (uploaded.Write.Outcome == ColdWriteOutcome.Written)
        {
            _metrics.SegmentWritten(_topic, uploaded.Bytes);
        }

        // What was read meanwhile stays pending, as the start of the next segment.
        _pending.RemoveRange(0, uploaded.Records);
        _pendingBytes -= uploaded.Bytes;
        _pendingBase = uploaded.Next;
        _pendingSince = _pendingNext > _pendingBase ? DateTimeOffset.UtcNow : null;
        Report(uploaded.Next, _progress.KafkaEarliest, _progress.KafkaEnd);
        if (_resumeAfterUpload)
        {
            UploadOrResume();
            return;
        }

        if (_pendingBytes >= _settings.SegmentMaxBytes)
        {
            Upload();
            return;
        }

        // A read may have stopped while the upload was in flight (a full segment waits for it).
        Self.Tell(ReadMore.Instance);
    }

    private void Report(long archived, long earliest, long end)
    {
        _progress = _progress with { ArchivedNext = archived, KafkaEarliest = earliest, KafkaEnd = Math.Max(end, _progress.KafkaEnd), Gaps = _gaps, UpdatedAt = DateTimeOffset.UtcNow };
        _metrics.Report(_progress);
    }

    private void CloseReader()
    {
        if (_reader is { } reader)
        {
            _reader = null;
            _ = reader.DisposeAsync().AsTask();
        }
    }

    private sealed record Resume
    {
        public static readonly Resume Instance = new();
    }

    private sealed record Resumed(long Start, long Earliest, long End, GapRecorded? Gap);

    private sealed record GapRecorded(long From, long To);

    private sealed record ResumeFailed(Exception Cause);

    private sealed record BatchRead(ArchiveBatch Batch, int Generation);

    private sealed record ReadFailed(Exception Cause, int Generation);

    private sealed record ReadMore
    {
        public static readonly ReadMore Instance = new();
    }

    private sealed record Uploaded(ColdWriteResult Write, long Base, long Next, long Bytes, int Records, int Generation);

    private sealed record UploadFailed(Exception Cause, int Generation);

    private sealed record RetryUpload
    {
        public static readonly RetryUpload Instance = new();
    }

    private sealed record RefreshOffsets
    {
        public static readonly RefreshOffsets Instance = new();
    }

    private sealed record KafkaOffsets(long Earliest, long End);

    private sealed record OffsetsUnknown
    {
        public static readonly OffsetsUnknown Instance = new();
    }
}
