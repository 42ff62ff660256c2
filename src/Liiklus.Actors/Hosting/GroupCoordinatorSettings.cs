namespace Liiklus.Actors.Hosting;

/// <param name="MaxShards">shards the coordinators are spread over (fixed for the life of a cluster)</param>
/// <param name="IdleTimeout">a coordinator with no member and no stream stops after this long</param>
/// <param name="PartitionsRefreshInterval">how often a coordinator with members asks whether its topic has more partitions</param>
public sealed record GroupCoordinatorSettings(int MaxShards, TimeSpan IdleTimeout, TimeSpan PartitionsRefreshInterval);
