namespace Liiklus.Storage.Records.Kafka;

/// <summary>Where a reader stands against a <see cref="PartitionTail"/>'s window.</summary>
internal enum JoinResult
{
    /// <summary>Inside the window: it reads the shared records from here on.</summary>
    Joined,

    /// <summary>Behind the window or past its end: it reads on its own.</summary>
    Outside,

    /// <summary>The hub does not know yet where its fetch starts; the reader is woken when it does.</summary>
    NotYet,

    /// <summary>The hub's fetch failed.</summary>
    Failed,
}
