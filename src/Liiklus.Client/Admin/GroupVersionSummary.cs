namespace Liiklus.Client;

/// <summary>One version of a consumer group in a <see cref="GroupSummary"/>.</summary>
/// <param name="Version">the group's version</param>
/// <param name="IsLatest">the highest version of the name that has positions (Liiklus's isLatest)</param>
/// <param name="Lag">records the version has yet to receive, over every partition</param>
/// <param name="LiveMembers">subscriptions of this version now; null when the gateway could not tell in time</param>
public sealed record GroupVersionSummary(uint Version, bool IsLatest, ulong Lag, int? LiveMembers);
