using System.Collections.Concurrent;

namespace Liiklus.Storage.Positions.Kafka;

/// <summary>
/// The group versions a Kafka positions storage has acked, or read positions of, since it started: what it can
/// list where it cannot list the cluster's consumer groups. At most <c>max</c> are kept; past that, new ones are
/// not remembered.
/// </summary>
internal sealed class KnownGroups(int max)
{
    private readonly ConcurrentDictionary<(string Topic, string Name, uint Version), bool> _versions = new();
    private int _count;
    private int _full;

    /// <returns>false the first time a version is left out because <c>max</c> are kept already, true otherwise</returns>
    public bool Remember(string topic, GroupId group)
    {
        var key = (topic, group.Name, group.Version);
        // Every ack comes here: a known version costs one lock-free read.
        if (_versions.ContainsKey(key))
        {
            return true;
        }

        if (Interlocked.Increment(ref _count) > max)
        {
            Interlocked.Decrement(ref _count);
            return Interlocked.Exchange(ref _full, 1) == 1;
        }

        if (!_versions.TryAdd(key, true))
        {
            Interlocked.Decrement(ref _count);
        }

        return true;
    }

    public void Forget(string topic, GroupId group)
    {
        if (_versions.TryRemove((topic, group.Name, group.Version), out _))
        {
            Interlocked.Decrement(ref _count);
            Volatile.Write(ref _full, 0);
        }
    }

    /// <summary>The versions known, of <paramref name="topic"/> only when it is given.</summary>
    public IReadOnlyList<(string Topic, GroupId Group)> Of(string? topic) =>
        [.. _versions.Keys
            .Where(key => topic is null || string.Equals(key.Topic, topic, StringComparison.Ordinal))
            .Select(key => (key.Topic, new GroupId(key.Name, key.Version)))];
}
