namespace Liiklus.Actors.Sessions;

/// <summary>The session is unknown to its group or has ended: the client must subscribe again.</summary>
public sealed class SessionNotFoundException(string sessionId)
    : Exception($"session '{sessionId}' is unknown or has ended; subscribe again")
{
    public string SessionId { get; } = sessionId;
}
