using System.Collections.Concurrent;
using Liiklus.Actors.Sessions;

namespace Liiklus.Actors.Telemetry;

/// <summary>
/// The (topic, group name) pairs whose coordinator runs on this node, with the group versions that have joined them.
/// A group is coordinated by exactly one node of a cluster; the positions and lag gauges add the versions found here
/// that have acked nothing yet (the positions storage does not hold them) to the stored groups.
/// </summary>
public sealed class CoordinatedGroups
{
    private readonly ConcurrentDictionary<(string Topic, string GroupName), ConcurrentDictionary<uint, bool>> _groups = new();

    internal void Joined(string topic, string groupName, string sessionId)
    {
        if (SessionToken.TryDecode(sessionId, out var session))
        {
            _groups.GetOrAdd((topic, groupName), _ => new ConcurrentDictionary<uint, bool>())[session.Group.Version] = true;
        }
    }

    internal void Stopped(string topic, string groupName) => _groups.TryRemove((topic, groupName), out _);

    /// <summary>The groups coordinated here now, ordered by topic and name (so that a cap keeps the same ones).</summary>
    public IReadOnlyList<CoordinatedGroup> Snapshot() =>
        [.. _groups
            .Select(group => new CoordinatedGroup(group.Key.Topic, group.Key.GroupName, [.. group.Value.Keys.Order()]))
            .OrderBy(group => group.Topic, StringComparer.Ordinal)
            .ThenBy(group => group.GroupName, StringComparer.Ordinal)];
}
