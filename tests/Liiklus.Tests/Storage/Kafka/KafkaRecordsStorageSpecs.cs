using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Kafka;
using Liiklus.Tests.Support;

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

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _storage?.Dispose();
    }
}
