using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Wire = Liiklus.Protocol.Admin;

namespace Liiklus.Client;

/// <summary>
/// Where <see cref="LiiklusAdminClient.ResetPositionsAsync"/> moves each partition's position, as "the next record
/// delivered". The gateway clamps every target to what the partition holds.
/// </summary>
public sealed class ResetTarget
{
    private readonly Action<Wire.ResetPositionsRequest> _apply;
    private readonly string _description;

    private ResetTarget(Action<Wire.ResetPositionsRequest> apply, string description)
    {
        _apply = apply;
        _description = description;
    }

    /// <summary>The oldest retained record.</summary>
    public static ResetTarget Earliest { get; } = new(r => r.ToEarliest = true, "earliest");

    /// <summary>The end offset: only records published after the reset are delivered.</summary>
    public static ResetTarget Latest { get; } = new(r => r.ToLatest = true, "latest");

    /// <summary>The same offset on every partition reset.</summary>
    public static ResetTarget Offset(ulong offset) =>
        new(r => r.ToOffset = offset, $"offset {offset.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>The first record stored at or after <paramref name="time"/> (the end offset where there is none).</summary>
    public static ResetTarget Time(DateTimeOffset time) =>
        new(r => r.ToTimestamp = Timestamp.FromDateTimeOffset(time), $"time {time.ToUniversalTime():O}");

    /// <summary>As <see cref="Time"/> with the gateway's now minus <paramref name="duration"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">the duration is negative</exception>
    public static ResetTarget Ago(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        return new(r => r.ByDuration = Duration.FromTimeSpan(duration), $"{duration} ago");
    }

    /// <summary>
    /// The current position moved by <paramref name="records"/>, back when negative; a partition without a position
    /// moves from its earliest retained offset.
    /// </summary>
    public static ResetTarget ShiftBy(long records) =>
        new(r => r.ShiftBy = records, $"shift by {records.ToString(CultureInfo.InvariantCulture)}");

    /// <inheritdoc />
    public override string ToString() => _description;

    internal void ApplyTo(Wire.ResetPositionsRequest request) => _apply(request);
}
