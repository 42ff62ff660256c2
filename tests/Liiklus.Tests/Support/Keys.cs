using System.Text;
using Liiklus.Storage.Records.Memory;
using Liiklus.Storage.Records;

namespace Liiklus.Tests.Support;

public static class Keys
{
    /// <summary>A key that Kafka's partitioner (and so the gateway's) puts on <paramref name="partition"/>.</summary>
    public static string ForPartition(int partition, int partitions) =>
        Enumerable.Range(0, 10_000).Select(i => $"key-{i}")
            .First(key => Murmur2Partitioner.PartitionFor(Encoding.UTF8.GetBytes(key), partitions) == partition);
}
