namespace Liiklus.Client;

/// <summary>What <see cref="LiiklusAdminClient.BrowseAsync"/> reads; every setting has a default.</summary>
public sealed record BrowseOptions
{
    /// <summary>Only these partitions; every partition of the topic when empty.</summary>
    public IReadOnlyCollection<int> Partitions { get; init; } = [];

    /// <summary>Where each partition is read from.</summary>
    public BrowseStart From { get; init; } = BrowseStart.Earliest;

    /// <summary>Only records whose key contains these bytes; no filter when empty.</summary>
    public ReadOnlyMemory<byte> KeyContains { get; init; }

    /// <summary>Only records whose value contains these bytes; no filter when empty.</summary>
    public ReadOnlyMemory<byte> ValueContains { get; init; }

    /// <summary>At most this many records (after filtering); 0: the gateway's default (100 without <see cref="Follow"/>, no limit with it).</summary>
    public uint Limit { get; init; }

    /// <summary>
    /// Keep reading records as they are published, until <see cref="Limit"/> or cancellation; without it the
    /// stream ends at the end offsets the call saw when it started.
    /// </summary>
    public bool Follow { get; init; }
}
