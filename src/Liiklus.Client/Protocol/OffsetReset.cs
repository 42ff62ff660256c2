namespace Liiklus.Client;

/// <summary>Where a group with nothing acknowledged starts reading.</summary>
public enum OffsetReset
{
    /// <summary>At the oldest record still stored.</summary>
    Earliest = 0,

    /// <summary>At the records published from now on.</summary>
    Latest = 1,
}
