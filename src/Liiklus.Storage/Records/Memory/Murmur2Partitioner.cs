using System.Buffers.Binary;

namespace Liiklus.Storage.Records.Memory;

/// <summary>
/// Kafka's default partitioner for keyed records (org.apache.kafka.clients.producer.internals.BuiltInPartitioner):
/// <c>toPositive(murmur2(key)) % numPartitions</c>, so a key lands where a Java producer would put it.
/// </summary>
public static class Murmur2Partitioner
{
    public static int PartitionFor(ReadOnlySpan<byte> key, int partitionCount) =>
        (Murmur2(key) & 0x7fffffff) % partitionCount;

    /// <summary>Kafka's murmur2 (org.apache.kafka.common.utils.Utils#murmur2), seed 0x9747b28c.</summary>
    public static int Murmur2(ReadOnlySpan<byte> data)
    {
        const uint seed = 0x9747b28c;
        const uint m = 0x5bd1e995;
        const int r = 24;

        var length = data.Length;
        var h = seed ^ (uint)length;
        var fourByteChunks = length / 4;

        for (var i = 0; i < fourByteChunks; i++)
        {
            var k = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i * 4, 4));
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }

        var tail = fourByteChunks * 4;
        switch (length % 4)
        {
            case 3:
                h ^= (uint)data[tail + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[tail + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[tail];
                h *= m;
                break;
        }

        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return (int)h;
    }
}
