using System.Collections.Concurrent;

namespace Liiklus.Storage.Positions.Memory;

/// <summary>Positions kept in this process: lost on restart, for development and tests.</summary>
public sealed class InMemoryPositionsStorage : IPositionsStorage
{
    private readonly ConcurrentDictionary<(string Topic, string GroupName), ConcurrentDictionary<uint, ConcurrentDictionary<int, long>>> _groups = new();

    public Task UpdateAsync(string topic, GroupId group, int partition, long offset, CancellationToken cancellationToken)
    {
        var versions = _groups.GetOrAdd((topic, group.Name), _ => new ConcurrentDictionary<uint, ConcurrentDictionary<int, long>>());
        versions.GetOrAdd(group.Version, _ => new ConcurrentDictionary<int, long>())[partition] = offset;
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string topic, GroupId group, CancellationToken cancellationToken)
    {
        if (_groups.TryGetValue((topic, group.Name), out var versions))
        {
            versions.TryRemove(group.Version, out _);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<int, long>> GetAsync(string topic, GroupId group, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<int, long> positions =
            _groups.TryGetValue((topic, group.Name), out var versions) && versions.TryGetValue(group.Version, out var partitions)
                ? new Dictionary<int, long>(partitions)
                : new Dictionary<int, long>();
        return Task.FromResult(positions);
    }

    /// <summary>Every version this storage finds: it lists a name's versions.</summary>
    public Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetVersionsForAsync(
        string topic,
        GroupId reader,
        CancellationToken cancellationToken) =>
        GetAllVersionsAsync(topic, reader.Name, cancellationToken);

    public Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetAllVersionsAsync(
        string topic,
        string groupName,
        CancellationToken cancellationToken)
    {
        var all = new Dictionary<uint, IReadOnlyDictionary<int, long>>();
        if (_groups.TryGetValue((topic, groupName), out var versions))
        {
            foreach (var (version, partitions) in versions)
            {
                all[version] = new Dictionary<int, long>(partitions);
            }
        }

        return Task.FromResult<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>>(all);
    }

    public Task<IReadOnlyList<StoredGroup>> ListGroupsAsync(string? topic, CancellationToken cancellationToken) =>
        Task.FromResult(StoredGroups.Of(
            from name in _groups
            where topic is null || name.Key.Topic == topic
            from version in name.Value
            select (name.Key.Topic, new GroupId(name.Key.GroupName, version.Key), (IReadOnlyDictionary<int, long>)new Dictionary<int, long>(version.Value))));
}
