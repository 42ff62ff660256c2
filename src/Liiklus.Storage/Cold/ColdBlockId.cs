namespace Liiklus.Storage.Cold;

/// <summary>
/// A block's identity, the same for every reader on every node: a block cache shared by readers of a range keys by
/// it. A segment key names one range whose bytes never change, so a block read once stays valid.
/// </summary>
public sealed record ColdBlockId(string SegmentKey, int Index);
