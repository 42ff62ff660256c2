namespace Liiklus.Api.Admin;

/// <summary>Where a browse reads each partition from, as the request asked; resolved against the partition's offsets when the call starts.</summary>
public abstract record BrowseFrom
{
    public static readonly BrowseFrom Earliest = new EarliestRecord();

    public static readonly BrowseFrom Latest = new EndOfPartition();

    public sealed record EarliestRecord : BrowseFrom;

    public sealed record EndOfPartition : BrowseFrom;

    public sealed record Offset(long Value) : BrowseFrom;

    public sealed record Time(DateTimeOffset Value) : BrowseFrom;
}
