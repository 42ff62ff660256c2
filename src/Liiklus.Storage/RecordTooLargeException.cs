namespace Liiklus.Storage;

/// <summary>The record is larger than the storage accepts.</summary>
public sealed class RecordTooLargeException(int sizeInBytes, int maxSizeInBytes)
    : Exception($"record of {sizeInBytes} bytes exceeds the maximum of {maxSizeInBytes} bytes")
{
    public int SizeInBytes { get; } = sizeInBytes;
    public int MaxSizeInBytes { get; } = maxSizeInBytes;
}
