namespace Liiklus.Plugins;

/// <summary>A stored record on its way to a Receive call.</summary>
/// <param name="Envelope">what was stored</param>
/// <param name="Partition">the partition it was read from</param>
/// <param name="Offset">its position in the partition (clients ack it, so a plugin cannot change it)</param>
/// <param name="Timestamp">when it was stored</param>
public sealed record DeliveredRecord(Envelope Envelope, int Partition, long Offset, DateTimeOffset Timestamp);
