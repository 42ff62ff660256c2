namespace Liiklus.Actors.Subscriptions;

/// <param name="BufferSize">assignments held for a client that does not read its Subscribe stream; past it the subscription ends</param>
/// <param name="JoinTimeout">how long a subscription waits for its group coordinator to answer before it ends as unavailable</param>
public sealed record SubscriptionSettings(int BufferSize, TimeSpan JoinTimeout);
