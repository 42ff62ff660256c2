using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Liiklus.Storage.Cold;
using Liiklus.Storage.Cold.Memory;
using Liiklus.Storage.Cold.Telemetry;
using Liiklus.Storage.Records;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Liiklus.Tests.Cold;

/// <summary>
/// The archiver against the Kafka mock cluster: the store is the truth it resumes from, whatever stopped it, and
/// retention overtaking it is recorded, alerted and told to readers, never skipped.
/// </summary>
public sealed class PartitionArchiverSpecs : TestKit, IClassFixture<MockKafkaCluster>
{
    private readonly MockKafkaCluster _cluster;
    private readonly InMemoryColdStore _memory = new(blockBytes: 8 * 1024);
    private readonly GatedColdStore _store;
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ColdRig _rig;

    public PartitionArchiverSpecs(MockKafkaCluster cluster)
    {
        _cluster = cluster;
        _store = new GatedColdStore(_memory);
        _rig = new ColdRig(cluster, Sys, _store, new ColdMetrics(_services.GetRequiredService<IMeterFactory>()));
    }

    [Fact]
    public async Task An_archiver_killed_mid_upload_is_resumed_from_the_store_with_no_duplicate_and_no_hole()
    {
        var topic = _rig.NewTopic();
        await _rig.PublishAsync(topic, 1_000);
        _store.Hold();
        var first = _rig.StartArchiver(topic);
        await Eventually.Until(() => Task.FromResult(_store.Waiting), waiting => waiting > 0, "an upload in flight");
        Watch(first);
        first.Tell(Kill.Instance);
        ExpectTerminated(first);
        await _rig.PublishAsync(topic, 1_000, from: 1_000);
        var second = _rig.StartArchiver(topic);
        // The killed archiver's upload lands late, beside the new archiver's.
        _store.Release();

        await _rig.WaitArchivedAsync(topic, 2_000);
        await AssertChainAsync(topic, 2_000);
        _cluster.DeleteRecords(topic, 0, 2_000);
        var replayed = await _rig.ReadAsync(_rig.Records, topic, 2_000);
        Assert.Equal(Enumerable.Range(0, 2_000).Select(o => (long)o), replayed.Select(r => r.Offset));
        Sys.Stop(second);
    }

    [Fact]
    public async Task Two_archivers_racing_on_one_partition_leave_one_copy_of_each_record()
    {
        var topic = _rig.NewTopic();
        await _rig.PublishAsync(topic, 1_500);
        var one = _rig.StartArchiver(topic, settings: ColdRig.Settings(segmentMaxBytes: 20 * 1024));
        var other = _rig.StartArchiver(topic, settings: ColdRig.Settings(segmentMaxBytes: 50 * 1024));
        await _rig.PublishAsync(topic, 1_500, from: 1_500);

        await _rig.WaitArchivedAsync(topic, 3_000);
        await AssertChainAsync(topic, 3_000);
        _cluster.DeleteRecords(topic, 0, 3_000);
        var replayed = await _rig.ReadAsync(_rig.Records, topic, 3_000);
        Assert.Equal(Enumerable.Range(0, 3_000).Select(o => (long)o), replayed.Select(r => r.Offset));
        Sys.Stop(one);
        Sys.Stop(other);
    }

    [Fact]
    public async Task An_archiver_overtaken_by_retention_records_a_gap_alerts_and_a_replay_across_it_ends_in_data_loss_naming_the_range()
    {
        var topic = _rig.NewTopic();
        await _rig.PublishAsync(topic, 500);
        var archiver = _rig.StartArchiver(topic);
        await _rig.WaitArchivedAsync(topic, 500);
        Watch(archiver);
        Sys.Stop(archiver);
        ExpectTerminated(archiver);
        await _rig.PublishAsync(topic, 500, from: 500);
        _cluster.DeleteRecords(topic, 0, 700);

        var restarted = _rig.StartArchiver(topic);
        await _rig.WaitArchivedAsync(topic, 1_000);

        var gap = Assert.IsType<ColdGap>(await _store.FindAsync(topic, 0, 500, CancellationToken.None));
        Assert.Equal((500L, 700L), (gap.BaseOffset, gap.NextOffset));
        Assert.Equal(1, GaugeValue("liiklus.cold.gaps", topic));
        var received = new List<StoredRecord>();
        var failure = await Assert.ThrowsAsync<ColdDataLossException>(() =>
            _rig.Records.PartitionSource(topic, 0, StartPosition.Earliest)
                .Records()
                .RunForeach(received.Add, _rig.Materializer)
                .WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(Enumerable.Range(0, 500).Select(o => (long)o), received.Select(r => r.Offset));
        Assert.Equal((500L, 700L), (failure.FromOffset, failure.ToOffset));
        Assert.Contains("500 to 699", failure.Message);
        Sys.Stop(restarted);
    }

    /// <summary>The partition's ranges follow each other from 0 with no overlap and no hole up to <paramref name="next"/>.</summary>
    private async Task AssertChainAsync(string topic, long next)
    {
        var expected = 0L;
        await foreach (var range in _store.ListAsync(topic, 0, 0, CancellationToken.None))
        {
            Assert.IsType<ColdSegment>(range);
            Assert.Equal(expected, range.BaseOffset);
            expected = range.NextOffset;
        }

        Assert.Equal(next, expected);
    }

    private long GaugeValue(string instrument, string topic)
    {
        long value = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == ColdMetrics.MeterName && i.Name == instrument)
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, measurement, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "topic" && (string?)tag.Value == topic)
                {
                    value = measurement;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return value;
    }

    protected override void Dispose(bool disposing)
    {
        _rig.Dispose();
        _services.Dispose();
        base.Dispose(disposing);
    }
}
