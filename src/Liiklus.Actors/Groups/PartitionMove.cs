namespace Liiklus.Actors.Groups;

/// <summary>What a reset does to one partition, in "the next record delivered" offsets.</summary>
/// <param name="PreviousNext">the position before (stored last acked + 1); null when the version had none</param>
/// <param name="Clamped">the target was outside what the partition holds and <paramref name="Next"/> is the nearest bound</param>
public sealed record PartitionMove(int Partition, long? PreviousNext, long Next, bool Clamped)
{
    /// <summary>
    /// The move <paramref name="target"/> makes from a stored last acked offset (-1: nothing acked, start at 0; null:
    /// no position). Stored afterwards: <see cref="Next"/> - 1, so -1 for a reset to offset 0, which every Liiklus
    /// reader takes as "start at 0".
    /// </summary>
    public static PartitionMove Plan(PartitionTarget target, long? lastAcked)
    {
        long? previous = lastAcked is { } acked ? acked + 1 : null;
        var wanted = target.NextOffset ?? SaturatingAdd(previous ?? target.Earliest, target.ShiftBy);
        var next = Math.Clamp(wanted, target.Earliest, Math.Max(target.Earliest, target.End));
        return new PartitionMove(target.Partition, previous, next, next != wanted);
    }

    private static long SaturatingAdd(long a, long b)
    {
        var sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? (b < 0 ? long.MinValue : long.MaxValue) : sum;
    }
}
