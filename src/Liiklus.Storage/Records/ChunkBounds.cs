namespace Liiklus.Storage.Records;

/// <summary>The bound of one element of a partition source.</summary>
public static class ChunkBounds
{
    /// <summary>
    /// Records one pull may get: enough to spread a stream's per-element cost thin, few enough that a stalled
    /// client holds little more than its own buffer.
    /// </summary>
    public const int MaxRecords = 64;
}
