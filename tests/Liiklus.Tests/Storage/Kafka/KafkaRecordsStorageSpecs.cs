using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Kafka;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Storage.Kafka;

/// <summary>
/// The records contract against Kafka's protocol (librdkafka's mock cluster). Its fresh topics are created the way
/// a broker with <c>auto.create.topics.enable</c> creates them: by the first metadata request or publish, here with
/// the mock's 4 partitions.
/// </summary>
public sealed class KafkaRecordsStorageSpecs(MockKafkaCluster cluster) : RecordsStorageContract, Xunit.IClassFixture<MockKafkaCluster>
{
    private KafkaRecordsStorage? _storage;

    protected override IRecordsStorage CreateStorage() => _storage = new KafkaRecordsStorage(cluster.StorageOptions(), Materializer);

    private const string NoTimestampLookup =
        "librdkafka's mock cluster answers 'no record' to every ListOffsets by timestamp (a FIXME in its handler), " +
        "so only the end-offset fallback can be checked against it";

    [Fact(Skip = NoTimestampLookup)]
    public override Task Offsets_for_a_timestamp_are_the_first_record_at_or_after_it_and_the_end_past_the_last() =>
        base.Offsets_for_a_timestamp_are_the_first_record_at_or_after_it_and_the_end_past_the_last();

    [Fact(Skip = NoTimestampLookup)]
    public override Task Offsets_for_a_timestamp_take_the_first_such_record_when_timestamps_go_back() =>
        base.Offsets_for_a_timestamp_take_the_first_such_record_when_timestamps_go_back();

    [Theory]
    [InlineData(1_700_000_000_123_0000L, 1_700_000_000_123L)]
    [InlineData(1_700_000_000_123_0001L, 1_700_000_000_124L)]
    [InlineData(0L, 0L)]
    [InlineData(-5_000_0000L, 0L)]
    public void Timestamps_are_looked_up_from_the_next_whole_millisecond_kafka_stamps(long ticksSinceEpoch, long expectedMilliseconds)
    {
        Assert.Equal(expectedMilliseconds, KafkaRecordsStorage.KafkaMilliseconds(DateTimeOffset.UnixEpoch.AddTicks(ticksSinceEpoch)));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _storage?.Dispose();
    }
}
