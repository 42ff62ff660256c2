namespace Liiklus.Storage.Positions;

/// <summary>How every positions storage shapes a listing, so that they all answer alike.</summary>
public static class StoredGroups
{
    /// <summary>
    /// The group versions found, as one <see cref="StoredGroup"/> per (topic, group name), ordered by topic then
    /// name (ordinal), versions lowest first; a version without positions is left out, and so is a name without a
    /// version that has some. A version found twice keeps the positions found last.
    /// </summary>
    public static IReadOnlyList<StoredGroup> Of(IEnumerable<(string Topic, GroupId Group, IReadOnlyDictionary<int, long> Positions)> found)
    {
        var names = new Dictionary<(string Topic, string Name), SortedDictionary<uint, IReadOnlyDictionary<int, long>>>();
        foreach (var (topic, group, positions) in found)
        {
            if (positions.Count == 0)
            {
                continue;
            }

            if (!names.TryGetValue((topic, group.Name), out var versions))
            {
                names[(topic, group.Name)] = versions = [];
            }

            versions[group.Version] = positions;
        }

        return
        [
            .. names
                .OrderBy(name => name.Key.Topic, StringComparer.Ordinal)
                .ThenBy(name => name.Key.Name, StringComparer.Ordinal)
                .Select(name => new StoredGroup(name.Key.Topic, name.Key.Name, name.Value)),
        ];
    }

    /// <summary>The groups of <paramref name="topic"/> in <paramref name="all"/>; all of them when it is null.</summary>
    public static IReadOnlyList<StoredGroup> OfTopic(IReadOnlyList<StoredGroup> all, string? topic) =>
        topic is null ? all : [.. all.Where(group => string.Equals(group.Topic, topic, StringComparison.Ordinal))];
}
