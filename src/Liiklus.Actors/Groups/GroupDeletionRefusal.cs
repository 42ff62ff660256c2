namespace Liiklus.Actors.Groups;

/// <summary>Why a group's coordinator did not delete its positions.</summary>
public enum GroupDeletionRefusal
{
    LiveMembers = 0,

    NoPositions = 1,

    StorageUnavailable = 2,

    /// <summary>The positions storage is set not to delete.</summary>
    Unsupported = 3,
}
