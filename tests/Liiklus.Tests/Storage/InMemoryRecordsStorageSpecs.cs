using System.Text;
using Akka.Streams.Dsl;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.Memory;
using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Memory;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Storage;

public sealed class InMemoryRecordsStorageSpecs : RecordsStorageContract
{
    protected override IRecordsStorage CreateStorage() =>
        new InMemoryRecordsStorage(new InMemoryRecordsOptions(PartitionsPerTopic: 8, RetentionPerPartition: 1000));

    [Fact]
    public async Task Topic_is_created_on_first_use_with_the_configured_partition_count()
    {
        var storage = new InMemoryRecordsStorage(new InMemoryRecordsOptions(PartitionsPerTopic: 32));

        Assert.Equal(32, await storage.GetPartitionCountAsync(NewTopic(), CancellationToken.None));
    }

    [Fact]
    public async Task Retention_drops_the_oldest_records_so_earliest_moves_forward()
    {
        var storage = new InMemoryRecordsStorage(new InMemoryRecordsOptions(PartitionsPerTopic: 1, RetentionPerPartition: 100));
        var topic = NewTopic();
        for (var i = 0; i < 250; i++)
        {
            await storage.PublishAsync(topic, Record($"v{i}"), CancellationToken.None);
        }

        var fromEarliest = await storage.PartitionSource(topic, 0, StartPosition.Earliest).Records().Take(100)
            .RunWith(Sink.Seq<StoredRecord>(), Materializer).WaitAsync(Deadline);
        var fromDroppedOffset = await storage.PartitionSource(topic, 0, StartPosition.At(3)).Records().Take(1)
            .RunWith(Sink.Seq<StoredRecord>(), Materializer).WaitAsync(Deadline);

        Assert.Equal(Enumerable.Range(150, 100).Select(o => (long)o), fromEarliest.Select(r => r.Offset));
        Assert.Equal("v150", Encoding.UTF8.GetString(fromEarliest[0].Value));
        Assert.Equal(150, fromDroppedOffset.Single().Offset);
        Assert.Equal(249, (await storage.GetEndOffsetsAsync(topic, CancellationToken.None))[0]);
        Assert.Equal(150, (await storage.GetEarliestOffsetsAsync(topic, CancellationToken.None))[0]);
    }
}
