namespace Liiklus.Storage.Cold;

/// <summary>
/// A range of offsets [<see cref="BaseOffset"/>, <see cref="NextOffset"/>) of one partition the cold store knows:
/// archived records (<see cref="ColdSegment"/>) or a recorded loss (<see cref="ColdGap"/>).
/// </summary>
public abstract record ColdRange(string Topic, int Partition, long BaseOffset, long NextOffset)
{
    public bool Covers(long offset) => offset >= BaseOffset && offset < NextOffset;

    public bool Overlaps(long baseOffset, long nextOffset) => baseOffset < NextOffset && BaseOffset < nextOffset;
}
