namespace Liiklus.Actors.Subscriptions;

/// <summary>
/// A partition assigned to a subscription, with the session id its Receive and acks name: the subscription's own id,
/// or after a position reset that id under the reset's epoch.
/// </summary>
public sealed record AssignedPartition(string SessionId, int Partition);
