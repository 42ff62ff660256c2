namespace Liiklus.Storage.Positions;

/// <summary>The positions storage is set not to delete positions; the message says why and what to do instead.</summary>
public sealed class PositionsDeletionUnsupportedException(string message) : Exception(message);
