using Akka.TestKit.Xunit2;
using Liiklus.Storage.Cold;
using Liiklus.Storage.Records;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Cold;

/// <summary>What the read path must do on every cold store, with archivers copying from the Kafka mock cluster.</summary>
public abstract class ColdReplayContract : TestKit
{
    private readonly MockKafkaCluster _cluster;
    private readonly Lazy<ColdRig> _rig;

    protected ColdReplayContract(MockKafkaCluster cluster)
    {
        _cluster = cluster;
        _rig = new Lazy<ColdRig>(() => new ColdRig(cluster, Sys, CreateStore()));
    }

    protected ColdRig Rig => _rig.Value;

    protected abstract IColdStore CreateStore();

    [Fact]
    public async Task A_group_from_earliest_receives_every_offset_once_in_order_with_every_field_after_retention_deleted_most()
    {
        var topic = Rig.NewTopic();
        await Rig.PublishAsync(topic, 10_000);
        var archiver = Rig.StartArchiver(topic);
        await Rig.WaitArchivedAsync(topic, 10_000);
        var published = await Rig.ReadAsync(Rig.Kafka, topic, 10_000);
        _cluster.DeleteRecords(topic, 0, 8_000);
        Assert.Equal(8_000, (await Rig.Kafka.GetEarliestOffsetsAsync(topic, CancellationToken.None))[0]);

        var replayed = await Rig.ReadAsync(Rig.Records, topic, 10_000);

        AssertSameRecords(published, replayed);
        Sys.Stop(archiver);
    }

    protected static void AssertSameRecords(IReadOnlyList<StoredRecord> expected, IReadOnlyList<StoredRecord> actual)
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
        if (_rig.IsValueCreated)
        {
            _rig.Value.Dispose();
        }

        base.Dispose(disposing);
    }
}
