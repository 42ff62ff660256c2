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
public sealed class ColdReplaySpecs(MockKafkaCluster cluster) : ColdReplayContract(cluster), IClassFixture<MockKafkaCluster>
{
    private readonly MockKafkaCluster _cluster = cluster;

    protected override IColdStore CreateStore() => new InMemoryColdStore(blockBytes: 16 * 1024);

    [Fact]
    public async Task A_replay_switches_to_kafka_at_exactly_the_next_offset_and_keeps_tailing()
    {
        var topic = Rig.NewTopic();
        await Rig.PublishAsync(topic, 1_000);
        var archiver = Rig.StartArchiver(topic);
        await Rig.WaitArchivedAsync(topic, 1_000);
        _cluster.DeleteRecords(topic, 0, 600);
        var reader = Rig.Records.PartitionSource(topic, 0, StartPosition.At(100)).Records().PullOnDemand(Rig.Materializer);

        var first = new List<StoredRecord>();
        for (var i = 0; i < 900; i++)
        {
            first.Add(await NextAsync(reader));
        }

        await Rig.PublishAsync(topic, 100, from: 1_000);
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
        var topic = Rig.NewTopic();
        await Rig.PublishAsync(topic, Records);
        var archiver = Rig.StartArchiver(topic);
        await Rig.WaitArchivedAsync(topic, Records);
        // Small reader buffers, so that the Kafka reader pauses and resumes often: a resume is where it meets retention.
        using var smallBuffers = new ColdRig(_cluster, Sys, Rig.Store, options: _cluster.StorageOptions() with { ReaderBufferRecords = 40, ReaderBufferBytes = 8 * 1024 });
        var deleted = 0L;
        for (var seed = 0; seed < 12; seed++)
        {
            var random = new Random(seed);
            var reader = smallBuffers.Records.PartitionSource(topic, 0, StartPosition.Earliest).Records().PullOnDemand(Rig.Materializer);
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
}
