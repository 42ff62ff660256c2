using Liiklus.Storage.Positions;

namespace Liiklus.Tests.Support;

/// <summary>A real positions storage seen through a spec's decorator, which overrides only the writes it holds or prepares.</summary>
public abstract class ForwardingPositionsStorage(IPositionsStorage inner) : IPositionsStorage
{
    protected IPositionsStorage Inner => inner;

    public virtual Task UpdateAsync(string topic, GroupId group, int partition, long offset, CancellationToken cancellationToken) =>
        inner.UpdateAsync(topic, group, partition, offset, cancellationToken);

    public Task DeleteAsync(string topic, GroupId group, CancellationToken cancellationToken) =>
        inner.DeleteAsync(topic, group, cancellationToken);

    public Task<IReadOnlyDictionary<int, long>> GetAsync(string topic, GroupId group, CancellationToken cancellationToken) =>
        inner.GetAsync(topic, group, cancellationToken);

    public Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetAllVersionsAsync(
        string topic,
        string groupName,
        CancellationToken cancellationToken) =>
        inner.GetAllVersionsAsync(topic, groupName, cancellationToken);

    public Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetVersionsForAsync(
        string topic,
        GroupId reader,
        CancellationToken cancellationToken) =>
        inner.GetVersionsForAsync(topic, reader, cancellationToken);

    public Task<IReadOnlyList<StoredGroup>> ListGroupsAsync(string? topic, CancellationToken cancellationToken) =>
        inner.ListGroupsAsync(topic, cancellationToken);
}
