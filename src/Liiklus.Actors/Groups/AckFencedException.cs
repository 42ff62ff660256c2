namespace Liiklus.Actors.Groups;

/// <summary>The ack was made before a reset of its partition's position and must not move it (FAILED_PRECONDITION).</summary>
public sealed class AckFencedException(string message) : Exception(message);
