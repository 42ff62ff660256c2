using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Wire = Liiklus.Protocol.Admin;

namespace Liiklus.Client;

/// <summary>Where <see cref="LiiklusAdminClient.BrowseAsync"/> starts reading each partition.</summary>
public sealed class BrowseStart
{
    private readonly Action<Wire.BrowseRequest> _apply;
    private readonly string _description;

    private BrowseStart(Action<Wire.BrowseRequest> apply, string description)
    {
        _apply = apply;
        _description = description;
    }

    /// <summary>The oldest retained record.</summary>
    public static BrowseStart Earliest { get; } = new(r => r.FromEarliest = true, "earliest");

    /// <summary>Only records published after the call starts (with <see cref="BrowseOptions.Follow"/>; without it nothing).</summary>
    public static BrowseStart Latest { get; } = new(r => r.FromLatest = true, "latest");

    /// <summary>The same offset on every partition read, clamped to what the partition holds.</summary>
    public static BrowseStart Offset(ulong offset) =>
        new(r => r.FromOffset = offset, $"offset {offset.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>The first record stored at or after <paramref name="time"/>.</summary>
    public static BrowseStart Time(DateTimeOffset time) =>
        new(r => r.FromTimestamp = Timestamp.FromDateTimeOffset(time), $"time {time.ToUniversalTime():O}");

    /// <inheritdoc />
    public override string ToString() => _description;

    internal void ApplyTo(Wire.BrowseRequest request) => _apply(request);
}
