namespace Liiklus.Actors.Groups;

/// <summary>Why a group's coordinator did not store an ack.</summary>
public enum AckRefusal
{
    /// <summary>The ack names a session id from before a reset of its partition.</summary>
    StaleSession = 0,

    /// <summary>A stateless ack for an offset no Receive stream has delivered since the partition's last reset.</summary>
    NotDeliveredSinceReset = 1,

    StorageUnavailable = 2,

    /// <summary>The positions storage cannot hold the position.</summary>
    OutOfRange = 3,
}
