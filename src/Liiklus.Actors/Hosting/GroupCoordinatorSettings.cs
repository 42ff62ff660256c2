namespace Liiklus.Actors.Hosting;

/// <param name="MaxShards">shards the coordinators are spread over (fixed for the life of a cluster)</param>
/// <param name="IdleTimeout">a coordinator with no member and no stream stops after this long</param>
/// <param name="PartitionsRefreshInterval">how often a coordinator with members asks whether its topic has more partitions</param>
public sealed record GroupCoordinatorSettings(int MaxShards, TimeSpan IdleTimeout, TimeSpan PartitionsRefreshInterval)
{
    /// <summary>
    /// How long a partition revoked from a session that was reading it waits at most for that session's last ack
    /// before it goes to its next owner (see <see cref="Groups.GroupCoordinator"/>); zero hands it over at once.
    /// </summary>
    public TimeSpan HandoffGrace { get; init; } = TimeSpan.FromSeconds(2);
}
