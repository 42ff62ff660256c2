namespace Liiklus.Actors.Sessions;

/// <summary>Where a group version with no acked position starts reading.</summary>
public enum OffsetReset : byte
{
    Earliest = 0,
    Latest = 1,
}
