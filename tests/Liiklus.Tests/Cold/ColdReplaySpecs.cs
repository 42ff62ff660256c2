using Akka.Actor;
using Akka.TestKit.Xunit2;
using Liiklus.Storage.Cold;
using Liiklus.Storage.Cold.Memory;
using Liiklus.Storage.Records;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Cold;

/// <summary>
/// The read path across the cold store and Kafka, on the Kafka mock cluster with archivers copying the records and
/// the mock's record deletion standing in for retention.
/// </summary>
public sealed class ColdReplaySpecs : TestKit, IClassFixture<MockKafkaCluster>
{
    private readonly MockKafkaCluster _cluster;
    private readonly ColdRig _rig;

    public ColdReplaySpecs(MockKafkaCluster cluster)
    {
        _cluster = cluster;
        _rig = new ColdRig(cluster, Sys, new InMemoryColdStore(blockBytes: 16 * 1024));
    }

    [Fact]
    public async Task A_group_from_earliest_receives_every_offset_once_in_order_with_every_field_after_retention_deleted_most()
    {
        var topic = _rig.NewTopic();
        await _rig.PublishAsync(topic, 10_000);
        var archiver = _rig.StartArchiver(topic);
        await _rig.WaitArchivedAsync(topic, 10_000);
        var published = await _rig.ReadAsync(_rig.Kafka, topic, 10_000);
        _cluster.DeleteRecords(topic, 0, 8_000);
        Assert.Equal(8_000, (await _rig.Kafka.GetEarliestOffsetsAsync(topic, CancellationToken.None))[0]);

        var replayed = await _rig.ReadAsync(_rig.Records, topic, 10_000);

        AssertSameRecords(published, replayed);
        Sys.Stop(archiver);
    }

    [Fact]
    public async Task A_replay_switches_to_kafka_at_exactly_the_next_offset_and_keeps_tailing()
    {
        var topic = _rig.NewTopic();
        await _rig.PublishAsync(topic, 1_000);
        var archiver = _rig.StartArchiver(topic);
        await _rig.WaitArchivedAsync(topic, 1_000);
        _cluster.DeleteRecords(topic, 0, 600);
        var reader = _rig.Records.PartitionSource(topic, 0, StartPosition.At(100)).Records().PullOnDemand(_rig.Materializer);

        var first = new List<StoredRecord>();
        for (var i = 0; i < 900; i++)
        {
            first.Add(await NextAsync(reader));
        }

        await _rig.PublishAsync(topic, 100, from: 1_000);
        var tail = new List<StoredRecord>();
        for (var i = 0; i < 100; i++)
        {
            tail.Add(await NextAsync(reader));
        }

        Assert.Equal(Enumerable.Range(100, 1_000).Select(i => (long)i), first.Concat(tail).Select(r => r.Offset));
        reader.KillSwitch.Shutdown();
        Sys.Stop(archiver);
    }

    [Fact]
    public async Task Deletions_at_random_moments_during_a_replay_leave_no_gap_and_no_duplicate()
    {
        const int Records = 1_500;
        var topic = _rig.NewTopic();
        await _rig.PublishAsync(topic, Records);
        var archiver = _rig.StartArchiver(topic);
        await _rig.WaitArchivedAsync(topic, Records);
        // Small reader buffers, so that the Kafka reader pauses and resumes often: a resume is where it meets retention.
        using var smallBuffers = new ColdRig(_cluster, Sys, _rig.Store, options: _cluster.StorageOptions() with { ReaderBufferRecords = 40, ReaderBufferBytes = 8 * 1024 });
        var deleted = 0L;
        for (var seed = 0; seed < 12; seed++)
        {
            var random = new Random(seed);
            var reader = smallBuffers.Records.PartitionSource(topic, 0, StartPosition.Earliest).Records().PullOnDemand(_rig.Materializer);
            var offsets = new List<long>(Records);
            for (var i = 0; i < Records; i++)
            {
                if (random.Next(100) == 0 && deleted < Records)
                {
                    deleted = Math.Min(Records, deleted + random.Next(1, 200));
                    _cluster.DeleteRecords(topic, 0, deleted);
                }

                offsets.Add((await NextAsync(reader)).Offset);
            }

            reader.KillSwitch.Shutdown();
            Assert.True(Enumerable.Range(0, Records).Select(o => (long)o).SequenceEqual(offsets), $"seed {seed}: offsets not 0..{Records - 1} in order once each (deleted below {deleted})");
        }

        Sys.Stop(archiver);
    }

    private static async Task<StoredRecord> NextAsync(OnDemandReader reader) => (await reader.PullAsync(1, TimeSpan.FromSeconds(15)))[0];

    private static void AssertSameRecords(IReadOnlyList<StoredRecord> expected, IReadOnlyList<StoredRecord> actual)
    {
        Assert.Equal(expected.Select(r => r.Offset), actual.Select(r => r.Offset));
        for (var i = 0; i < expected.Count; i++)
        {
            var (want, got) = (expected[i], actual[i]);
            Assert.Equal(want.Partition, got.Partition);
            Assert.Equal(want.Key, got.Key);
            Assert.Equal(want.Value, got.Value);
            Assert.Equal(want.Timestamp, got.Timestamp);
            Assert.Equal(want.Headers.Select(h => (h.Name, Convert.ToHexString(h.Value))), got.Headers.Select(h => (h.Name, Convert.ToHexString(h.Value))));
        }
    }

    protected override void Dispose(bool disposing)
    {
        _rig.Dispose();
        base.Dispose(disposing);
    }
}
