namespace Liiklus.Storage.Positions;

/// <summary>
/// Where consumer groups keep "the last processed offset" per partition. Updates are last write wins.
/// </summary>
public interface IPositionsStorage
{
    /// <exception cref="StorageUnavailableException">the storage cannot be reached within the deadline</exception>
    /// <exception cref="PositionOutOfRangeException">the storage cannot hold this position</exception>
    Task UpdateAsync(string topic, GroupId group, int partition, long offset, CancellationToken cancellationToken);

    /// <summary>Partition → last acked offset of exactly this group version.</summary>
    Task<IReadOnlyDictionary<int, long>> GetAsync(string topic, GroupId group, CancellationToken cancellationToken);

    /// <summary>
    /// Version → (partition → last acked offset) for every version of the group name; a storage that cannot list
    /// a name's versions answers those it can find (readers use <see cref="GetVersionsForAsync"/>).
    /// </summary>
    Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetAllVersionsAsync(
        string topic,
        string groupName,
        CancellationToken cancellationToken);

    /// <summary>
    /// What a reader of <paramref name="reader"/> needs: <see cref="GetAllVersionsAsync(string,string,CancellationToken)"/>
    /// of its name. A storage that cannot list a name's versions answers at least versions 0 to the reader's own. Every
    /// storage (and every decorator of one) implements it: a default here was once lost behind a decorator.
    /// </summary>
    Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetVersionsForAsync(
        string topic,
        GroupId reader,
        CancellationToken cancellationToken);
}
