using System.Buffers;

namespace Liiklus.Storage.Cold.Format;

/// <summary>Base-128 variable-length integers, zigzag for signed ones, as protobuf and Kafka's record format write them.</summary>
internal static class Varint
{
    public static void Write(IBufferWriter<byte> writer, ulong value)
    {
        var span = writer.GetSpan(10);
        var length = 0;
        while (value >= 0x80)
        {
            span[length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[length++] = (byte)value;
        writer.Advance(length);
    }

    public static void WriteSigned(IBufferWriter<byte> writer, long value) => Write(writer, (ulong)((value << 1) ^ (value >> 63)));

    public static ulong Read(ReadOnlySpan<byte> source, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var next = source[position++];
            value |= (ulong)(next & 0x7F) << shift;
            if (next < 0x80)
            {
                return value;
            }
        }

        throw new FormatException("a varint longer than 10 bytes");
    }

    public static long ReadSigned(ReadOnlySpan<byte> source, ref int position)
    {
        var raw = Read(source, ref position);
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }
}
