namespace Liiklus.Storage;

/// <summary>The storage could not be reached or did not answer in time; the call may succeed later.</summary>
public sealed class StorageUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The record is larger than the storage accepts.</summary>
public sealed class RecordTooLargeException(int sizeInBytes, int maxSizeInBytes)
    : Exception($"record of {sizeInBytes} bytes exceeds the maximum of {maxSizeInBytes} bytes")
{
    public int SizeInBytes { get; } = sizeInBytes;
    public int MaxSizeInBytes { get; } = maxSizeInBytes;
}
