namespace Liiklus.Storage;

/// <summary>The storage could not be reached or did not answer in time; the call may succeed later.</summary>
public sealed class StorageUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
