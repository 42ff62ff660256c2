namespace Liiklus.Actors.Subscriptions;

/// <summary>The client did not read its Subscribe stream for a whole buffer of assignments: the subscription ends.</summary>
public sealed class AssignmentsNotReadException(string sessionId)
    : Exception($"subscription '{sessionId}' did not read its assignments: a whole buffer of them is waiting; subscribe again and read the stream");
