using System.Text;
using Liiklus.Storage.Records.Memory;
using Liiklus.Storage.Records;
using Xunit;

namespace Liiklus.Tests.Storage;

public sealed class Murmur2PartitionerSpecs
{
    // The vectors of Apache Kafka's org.apache.kafka.common.utils.UtilsTest#testMurmur2.
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Hash_matches_kafka_java_client(string key, int expected)
    {
        Assert.Equal(expected, Murmur2Partitioner.Murmur2(Encoding.UTF8.GetBytes(key)));
    }

    // toPositive(murmur2) % n worked from the vectors above: foobar → -790332482 & 0x7fffffff = 1357151166, 21 → 1173551340.
    [Theory]
    [InlineData("foobar", 4, 2)]
    [InlineData("foobar", 8, 6)]
    [InlineData("foobar", 32, 30)]
    [InlineData("21", 4, 0)]
    [InlineData("21", 8, 4)]
    [InlineData("21", 32, 12)]
    public void Partition_is_the_positive_hash_modulo_the_partition_count(string key, int partitions, int expected)
    {
        Assert.Equal(expected, Murmur2Partitioner.PartitionFor(Encoding.UTF8.GetBytes(key), partitions));
    }
}
