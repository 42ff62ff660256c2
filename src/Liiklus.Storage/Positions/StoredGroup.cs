namespace Liiklus.Storage.Positions;

/// <summary>
/// A group name with stored positions, as <see cref="IPositionsStorage.ListGroupsAsync"/> answers it: its versions
/// that hold positions (at least one), lowest first, each with partition → last acked offset.
/// </summary>
public sealed record StoredGroup(string Topic, string GroupName, IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>> Versions)
{
    /// <summary>Liiklus's <c>isLatest</c>: the highest version of the name that has positions.</summary>
    public uint LatestVersion => Versions.Keys.Max();
}
