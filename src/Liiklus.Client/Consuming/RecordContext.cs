namespace Liiklus.Client;

/// <summary>Where a record being handled comes from.</summary>
/// <param name="Group">the consumer's group</param>
/// <param name="Attempt">1 for the first attempt, 2 for the first retry, …</param>
public sealed record RecordContext(ConsumerGroup Group, int Attempt);
