namespace Liiklus.Actors.Browsing;

/// <summary>One partition a browse reads: from <paramref name="From"/> on, up to <paramref name="Until"/> (exclusive) or, when null, on as records are published.</summary>
public sealed record BrowsedPartition(int Partition, long From, long? Until)
{
    /// <summary>Whether there is nothing to read: a bounded range that is empty.</summary>
    public bool IsEmpty => Until is { } until && From >= until;
}
