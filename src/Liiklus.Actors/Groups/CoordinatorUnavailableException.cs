namespace Liiklus.Actors.Groups;

/// <summary>
/// A group's coordinator did not answer in time, most often while it moves between nodes: the cluster, not a storage,
/// failed the call, which may succeed later. The message names the group and says nothing of any storage.
/// </summary>
public sealed class CoordinatorUnavailableException(string message) : Exception(message);
