using Liiklus.Storage;
using System.Diagnostics.Metrics;
using System.Globalization;
using Liiklus.Actors.Telemetry;
using Liiklus.Api.Configuration;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Records;
using OpenTelemetry;

namespace Liiklus.Api.Operations.Metrics;

/// <summary>
/// <c>liiklus_topic_position</c> (Liiklus's gauge: the last acked offset, <c>isLatest</c> on the highest version of
/// each group name that has positions) and <c>liiklus_group_lag</c> (records after the acked position) for every
/// group the positions storage holds, as Liiklus reports every stored position, and for the groups this node
/// coordinates that have acked nothing yet. Every node reports the same stored groups (queries take <c>max by</c>
/// the series' labels): a group with no consumer left, whose coordinator has stopped, keeps being reported while
/// its positions are stored, so an autoscaler sees its lag grow. Both gauges are read from the storages on a timer,
/// never on a scrape: each refresh is one listing of the stored groups (which the storages that scan keep for a
/// few seconds) and one end-offsets question per topic. Series past <see cref="OperationsSettings.MaxGroupSeries"/>
/// are left out, whole group versions at a time, in (topic, group name, version) order, and their topics are not
/// asked for end offsets.
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
    private bool _listingFailed;

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
            description: "Last acked offset of each partition, per topic, group name and version, for every stored group; isLatest marks the highest version with positions.");
        metrics.Meter.CreateObservableGauge(
            "liiklus_group_lag",
            () => Volatile.Read(ref _latest).Values.SelectMany(v => v.Lags),
            description: "Records after the acked position (end offset − acked offset; end offset + 1 when nothing is acked), for every stored group.");
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
        if (await ListStoredGroupsAsync(stoppingToken) is not { } stored)
        {
            // Without the listing nothing can be told apart from a deleted group: keep every last value.
            return;
        }

        var previous = Volatile.Read(ref _latest);
        var next = new Dictionary<GroupVersionKey, GroupVersionSeries>();
        var dropped = new HashSet<GroupVersionKey>();
        var endOffsets = new Dictionary<string, IReadOnlyDictionary<int, long>?>(StringComparer.Ordinal);
        var series = 0;
        foreach (var group in ReportedGroup.Of(stored, _groups.Snapshot()))
        {
            foreach (var (version, acked) in group.Versions)
            {
                var key = new GroupVersionKey(group.Topic, group.GroupName, version);
                var full = series >= _settings.MaxGroupSeries;
                if (!endOffsets.TryGetValue(group.Topic, out var ends) && !full)
                {
                    ends = endOffsets[group.Topic] = await AskAsync(ct => _records.GetEndOffsetsAsync(group.Topic, ct), stoppingToken);
                }

                var partitions = Math.Max(ends?.Count ?? 0, acked.Count);
                if (full || series + partitions > _settings.MaxGroupSeries)
                {
                    dropped.Add(key);
                    if (!_dropped.Contains(key))
                    {
                        _metrics.DroppedSeries("group", Math.Max(partitions, 1));
                    }

                    continue;
                }

                // A records storage that did not answer leaves the group's last values in place rather than a gap.
                var value = ends is null
                    ? previous.GetValueOrDefault(key)
                    : Series(key, ends, acked, isLatest: version == group.LatestVersion);
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

    private async Task<IReadOnlyList<StoredGroup>?> ListStoredGroupsAsync(CancellationToken stoppingToken)
    {
        try
        {
            var stored = await WithDeadline(ct => _positions.ListGroupsAsync(topic: null, ct), stoppingToken);
            if (_listingFailed)
            {
                _listingFailed = false;
                _logger.LogInformation("The stored groups are listed again for the positions and lag gauges");
            }

            return stored;
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // Once per failure, not once per refresh: an outage lasts many refreshes.
            if (!_listingFailed)
            {
                _listingFailed = true;
                _logger.LogWarning(
                    "The positions storage could not list its groups for the positions and lag gauges ({Reason}); they keep their last values until it can",
                    e.Message);
            }

            return null;
        }
    }

    private async Task<T?> AskAsync<T>(Func<CancellationToken, Task<T>> ask, CancellationToken stoppingToken)
        where T : class
    {
        try
        {
            return await WithDeadline(ask, stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // The storages' own metrics count the failure; the gauges keep their last values.
            _logger.LogDebug(e, "A storage did not answer for the positions gauges");
            return null;
        }
    }

    // At least a few seconds, so that a short interval does not fail every answer of a slow storage.
    private Task<T> WithDeadline<T>(Func<CancellationToken, Task<T>> ask, CancellationToken stoppingToken) =>
        Deadline.RunAsync(TimeSpan.FromTicks(Math.Max(_settings.PositionsRefreshInterval.Ticks, TimeSpan.FromSeconds(5).Ticks)), ask, stoppingToken);

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
