using Akka.Actor;
using Akka.Event;
using Liiklus.Storage.Records;

namespace Liiklus.Actors.Cold;

/// <summary>
/// On every node: looks for the partitions of the topics cold storage archives, now and then, and tells the archivers'
/// shard region to run one archiver per partition. Every node sends the same, so the cluster agrees without a leader:
/// sharding keeps one archiver per partition wherever it runs, and a node that left takes none with it for long.
/// </summary>
public sealed class ColdArchiveDirector : ReceiveActor, IWithTimers
{
    private readonly IActorRef _region;
    private readonly IRecordsStorage _records;
    private readonly ColdArchiveSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _looking;

    public ColdArchiveDirector(IActorRef region, IRecordsStorage records, ColdArchiveSettings settings)
    {
        _region = region;
        _records = records;
        _settings = settings;
        Receive<Look>(_ =>
        {
            if (_looking)
            {
                return;
            }

            _looking = true;
            FindPartitionsAsync().PipeTo(Self, success: found => found, failure: e => new NotFound(e));
        });
        Receive<Found>(found =>
        {
            _looking = false;
            foreach (var archive in found.Partitions)
            {
                _region.Tell(archive);
            }
        });
        Receive<NotFound>(failed =>
        {
            _looking = false;
            _log.Warning("Could not list the topics to archive, trying again in {Interval}: {Reason}", _settings.DiscoveryInterval, failed.Cause.Message);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef region, IRecordsStorage records, ColdArchiveSettings settings) =>
        Akka.Actor.Props.Create(() => new ColdArchiveDirector(region, records, settings));

    protected override void PreStart()
    {
        Self.Tell(Look.Instance);
        Timers.StartPeriodicTimer("look", Look.Instance, _settings.DiscoveryInterval);
    }

    private async Task<Found> FindPartitionsAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var topics = await _records.ListTopicsAsync(deadline.Token).ConfigureAwait(false);
        var found = new List<ArchivePartition>();
        foreach (var topic in topics.Where(_settings.Topics.Matches))
        {
            // End offsets list every partition without creating anything (and without asking the cold store).
            var partitions = await _records.GetEndOffsetsAsync(topic, deadline.Token).ConfigureAwait(false);
            found.AddRange(partitions.Keys.Order().Select(partition => new ArchivePartition(topic, partition)));
        }

        return new Found(found);
    }

    private sealed record Look
    {
        public static readonly Look Instance = new();
    }

    private sealed record Found(IReadOnlyList<ArchivePartition> Partitions);

    private sealed record NotFound(Exception Cause);
}
