namespace Liiklus.Storage.Positions;

/// <summary>
/// Where consumer groups keep "the last processed offset" per partition. Updates are last write wins.
/// </summary>
public interface IPositionsStorage
{
    /// <exception cref="StorageUnavailableException">the storage cannot be reached within the deadline</exception>
    /// <exception cref="PositionOutOfRangeException">the storage cannot hold this position</exception>
    Task UpdateAsync(string topic, GroupId group, int partition, long offset, CancellationToken cancellationToken);

    /// <summary>
    /// Removes every stored position of exactly this group version (nothing of other versions); a version without
    /// positions is left as it is. Afterwards <see cref="GetAsync"/> answers it empty and listings leave it out.
    /// </summary>
    /// <exception cref="StorageUnavailableException">the storage cannot be reached within the deadline</exception>
    /// <exception cref="PositionsDeletionUnsupportedException">the storage is set not to delete (Kafka: delete-offsets off)</exception>
    Task DeleteAsync(string topic, GroupId group, CancellationToken cancellationToken);

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

    /// <summary>
    /// Every group name with stored positions, only those of <paramref name="topic"/> when it is given, as
    /// <see cref="StoredGroups.Of"/> shapes them: ordered by topic then name, each with its versions that hold
    /// positions. Storages that must scan for their groups answer a listing up to a few seconds old (their
    /// <c>ListingMaxAge</c>), so a new ack or a removed group may show up that much later. The Kafka storage lists
    /// the groups it can find: see <see cref="Kafka.KafkaPositionsStorage"/>.
    /// </summary>
    /// <exception cref="StorageUnavailableException">the storage cannot be reached within the deadline</exception>
    Task<IReadOnlyList<StoredGroup>> ListGroupsAsync(string? topic, CancellationToken cancellationToken);
}
