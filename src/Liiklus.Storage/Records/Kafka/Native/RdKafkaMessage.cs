namespace Liiklus.Storage.Records.Kafka.Native;

/// <summary>
/// librdkafka's public <c>rd_kafka_message_t</c>, field for field in its declared order: the C compiler's natural
/// alignment, which sequential layout reproduces.
/// </summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
internal readonly struct RdKafkaMessage
{
    public readonly int Error;
    public readonly IntPtr Topic;
    public readonly int Partition;
    public readonly IntPtr Payload;
    public readonly nuint PayloadLength;
    public readonly IntPtr Key;
    public readonly nuint KeyLength;
    public readonly long Offset;
    public readonly IntPtr Private;
}
