using System.Diagnostics.Metrics;
using System.Globalization;
using Liiklus.Actors.Telemetry;
using Liiklus.Api.Configuration;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Records;
using OpenTelemetry;

namespace Liiklus.Api.Operations.Metrics;

/// <summary>
/// <c>liiklus_topic_position</c> (Liiklus's gauge: the last acked offset, <c>isLatest</c> on the highest acked version of
/// each group name) and <c>liiklus_group_lag</c> (records after the acked position) for the groups this node
/// coordinates. Both are read from the storages on a timer, never on a scrape: each refresh asks one end-offsets
/// question per topic and one positions read per group version (no scan), and a scrape reads the last refresh.
/// Series past <see cref="OperationsSettings.MaxGroupSeries"/> are left out, whole group versions at a time.
/// </summary>
public sealed class GroupPositionsGauges : BackgroundService
{
    private readonly GatewayMetrics _metrics;
    private readonly CoordinatedGroups _groups;
    private readonly IRecordsStorage _records;
    private readonly IPositionsStorage _positions;
    private readonly OperationsSettings _settings;
    private readonly ILogger<GroupPositionsGauges> _logger;
    private Dictionary<GroupVersionKey, GroupVersionSeries> _latest = [];
    private HashSet<GroupVersionKey> _dropped = [];

    public GroupPositionsGauges(
        GatewayMetrics metrics,
        CoordinatedGroups groups,
        IRecordsStorage records,
        IPositionsStorage positions,
        GatewaySettings settings,
        ILogger<GroupPositionsGauges> logger)
    {
        _metrics = metrics;
        _groups = groups;
        _records = records;
        _positions = positions;
        _settings = settings.Operations;
        _logger = logger;
        metrics.Meter.CreateObservableGauge(
            "liiklus_topic_position",
            () => Volatile.Read(ref _latest).Values.SelectMany(v => v.Positions),
            description: "Last acked offset of each partition, per topic, group name and version; isLatest marks the highest acked version.");
        metrics.Meter.CreateObservableGauge(
            "liiklus_group_lag",
            () => Volatile.Read(ref _latest).Values.SelectMany(v => v.Lags),
            description: "Records after the acked position (end offset − acked offset; end offset + 1 when nothing is acked).");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_settings.PositionsRefreshInterval);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogWarning(e, "Refreshing the positions and lag gauges failed; they keep their last values");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task RefreshAsync(CancellationToken stoppingToken)
    {
        // Refreshes run every few seconds for as long as the node lives: not worth a trace each.
        using var quiet = SuppressInstrumentationScope.Begin();
        var groups = _groups.Snapshot();
        var previous = Volatile.Read(ref _latest);
        var next = new Dictionary<GroupVersionKey, GroupVersionSeries>();
        var dropped = new HashSet<GroupVersionKey>();
        var endOffsets = new Dictionary<string, IReadOnlyDictionary<int, long>?>(StringComparer.Ordinal);
        var series = 0;
        foreach (var group in groups)
        {
            if (!endOffsets.TryGetValue(group.Topic, out var ends))
            {
                ends = endOffsets[group.Topic] = await AskAsync(ct => _records.GetEndOffsetsAsync(group.Topic, ct), stoppingToken);
            }

            var acked = new Dictionary<uint, IReadOnlyDictionary<int, long>?>();
            foreach (var version in group.Versions)
            {
                acked[version] = await AskAsync(ct => _positions.GetAsync(group.Topic, new GroupId(group.GroupName, version), ct), stoppingToken);
            }

            var latest = acked.Where(v => v.Value is { Count: > 0 }).Select(v => (uint?)v.Key).Max();
            foreach (var version in group.Versions)
            {
                var key = new GroupVersionKey(group.Topic, group.GroupName, version);
                var partitions = Math.Max(ends?.Count ?? 0, acked[version]?.Count ?? 0);
                if (series + partitions > _settings.MaxGroupSeries)
                {
                    dropped.Add(key);
                    if (!_dropped.Contains(key))
                    {
                        _metrics.DroppedSeries("group", Math.Max(partitions, 1));
                    }

                    continue;
                }

                // A storage that did not answer leaves the group's last values in place rather than a gap.
                var value = ends is null || acked[version] is null
                    ? previous.GetValueOrDefault(key)
                    : Series(key, ends, acked[version]!, isLatest: version == latest);
                if (value is not null)
                {
                    next[key] = value;
                    series += value.Lags.Count;
                }
            }
        }

        _dropped = dropped;
        Volatile.Write(ref _latest, next);
    }

    private async Task<T?> AskAsync<T>(Func<CancellationToken, Task<T>> ask, CancellationToken stoppingToken)
        where T : class
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        // At least a few seconds, so that a short interval does not fail every answer of a slow storage.
        deadline.CancelAfter(TimeSpan.FromTicks(Math.Max(_settings.PositionsRefreshInterval.Ticks, TimeSpan.FromSeconds(5).Ticks)));
        try
        {
            return await ask(deadline.Token).WaitAsync(deadline.Token);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // The storages' own metrics count the failure; the gauges keep their last values.
            _logger.LogDebug(e, "A storage did not answer for the positions gauges");
            return null;
        }
    }

    private static GroupVersionSeries Series(
        GroupVersionKey key,
        IReadOnlyDictionary<int, long> endOffsets,
        IReadOnlyDictionary<int, long> acked,
        bool isLatest)
    {
        var version = key.Version.ToString(CultureInfo.InvariantCulture);
        var positions = new List<Measurement<long>>(acked.Count);
        foreach (var (partition, offset) in acked.OrderBy(p => p.Key))
        {
            positions.Add(new Measurement<long>(
                offset,
                new KeyValuePair<string, object?>("topic", key.Topic),
                new KeyValuePair<string, object?>("groupName", key.GroupName),
                new KeyValuePair<string, object?>("groupVersion", version),
                new KeyValuePair<string, object?>("isLatest", isLatest ? "true" : "false"),
                new KeyValuePair<string, object?>("partition", partition.ToString(CultureInfo.InvariantCulture))));
        }

        var lags = new List<Measurement<long>>(endOffsets.Count);
        foreach (var (partition, end) in endOffsets.OrderBy(p => p.Key))
        {
            var lag = acked.TryGetValue(partition, out var offset) ? end - offset : end + 1;
            lags.Add(new Measurement<long>(
                Math.Max(0, lag),
                new KeyValuePair<string, object?>("topic", key.Topic),
                new KeyValuePair<string, object?>("groupName", key.GroupName),
                new KeyValuePair<string, object?>("groupVersion", version),
                new KeyValuePair<string, object?>("partition", partition.ToString(CultureInfo.InvariantCulture))));
        }

        return new GroupVersionSeries(positions, lags);
    }

    private sealed record GroupVersionKey(string Topic, string GroupName, uint Version);

    private sealed record GroupVersionSeries(IReadOnlyList<Measurement<long>> Positions, IReadOnlyList<Measurement<long>> Lags);
}
