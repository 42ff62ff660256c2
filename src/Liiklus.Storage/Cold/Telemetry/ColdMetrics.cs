using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Liiklus.Storage.Cold.Telemetry;

/// <summary>
/// Cold storage's figures on this node: its archivers' progress per partition (read when metrics are collected, and
/// by the admin API's cold status), what they wrote, and the cold reads of the read path. Always kept (the admin API
/// answers from it); instruments exist only when the host measures.
/// </summary>
public sealed class ColdMetrics
{
    public const string MeterName = "Liiklus.Cold";

    private readonly ConcurrentDictionary<(string Topic, int Partition), ColdPartitionProgress> _progress = new();
    private readonly Counter<long>? _segments;
    private readonly Counter<long>? _bytes;
    private readonly Counter<long>? _gapOffsets;
    private readonly Counter<long>? _blockReads;
    private readonly Counter<long>? _cacheHits;
    private readonly Counter<long>? _coldRecords;
    private long _blocksRead;
    private long _blockHits;

    /// <param name="meters">null when the host does not measure</param>
    public ColdMetrics(IMeterFactory? meters)
    {
        if (meters is null)
        {
            return;
        }

        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge(
            "liiklus.cold.archived.offset",
            () => Measure(p => p.ArchivedNext),
            description: "The next offset not yet archived, per partition archived by this node.");
        meter.CreateObservableGauge(
            "liiklus.cold.archiver.lag",
            () => Measure(p => p.Lag),
            description: "Offsets Kafka holds that are not archived yet (end offset − archived offset).");
        meter.CreateObservableGauge(
            "liiklus.cold.headroom",
            () => Measure(p => p.Headroom),
            description: "Offsets archived and still in Kafka (archived offset − Kafka's earliest): retention overtakes the archiver when it reaches 0.");
        meter.CreateObservableGauge(
            "liiklus.cold.gaps",
            () => Measure(p => p.Gaps),
            description: "Gaps recorded by this node's archivers since it started: ranges retention deleted before they were archived. Alert when above 0.");
        _segments = meter.CreateCounter<long>("liiklus.cold.segments.written", description: "Segments the archivers wrote to the cold store.");
        _bytes = meter.CreateCounter<long>("liiklus.cold.written", "By", "Record bytes the archivers wrote to the cold store.");
        _gapOffsets = meter.CreateCounter<long>("liiklus.cold.gap.offsets", description: "Offsets lost to gaps: deleted by retention before they were archived.");
        _blockReads = meter.CreateCounter<long>("liiklus.cold.block.reads", description: "Blocks read from the cold store by the read path (each once per node while cached).");
        _cacheHits = meter.CreateCounter<long>("liiklus.cold.block.cache.hits", description: "Block reads served by the node's block cache.");
        _coldRecords = meter.CreateCounter<long>("liiklus.cold.records.read", description: "Records replayed from the cold store.");
    }

    /// <summary>Blocks the read path fetched from the store on this node.</summary>
    public long BlocksRead => Interlocked.Read(ref _blocksRead);

    /// <summary>Block reads the cache served.</summary>
    public long BlockHits => Interlocked.Read(ref _blockHits);

    public IReadOnlyList<ColdPartitionProgress> Progress =>
        [.. _progress.Values.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition)];

    public void Report(ColdPartitionProgress progress) => _progress[(progress.Topic, progress.Partition)] = progress;

    /// <summary>The archiver of a partition stopped on this node (handed over, or the node leaves).</summary>
    public void Forget(string topic, int partition) => _progress.TryRemove((topic, partition), out _);

    public void SegmentWritten(string topic, long bytes)
    {
        var tag = new KeyValuePair<string, object?>("topic", topic);
        _segments?.Add(1, tag);
        _bytes?.Add(bytes, tag);
    }

    public void GapWritten(string topic, long offsets) =>
        _gapOffsets?.Add(offsets, new KeyValuePair<string, object?>("topic", topic));

    public void BlockRead()
    {
        Interlocked.Increment(ref _blocksRead);
        _blockReads?.Add(1);
    }

    public void BlockHit()
    {
        Interlocked.Increment(ref _blockHits);
        _cacheHits?.Add(1);
    }

    public void RecordsReplayed(string topic, int count) =>
        _coldRecords?.Add(count, new KeyValuePair<string, object?>("topic", topic));

    private IEnumerable<Measurement<long>> Measure(Func<ColdPartitionProgress, long> value) =>
        _progress.Values.Select(p => new Measurement<long>(
            value(p),
            new KeyValuePair<string, object?>("topic", p.Topic),
            new KeyValuePair<string, object?>("partition", p.Partition)));
}
