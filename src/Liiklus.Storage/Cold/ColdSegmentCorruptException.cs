namespace Liiklus.Storage.Cold;

/// <summary>
/// A segment's bytes are not what was written: a checksum does not match, or its footer or a block cannot be read.
/// Reading it again will not help; the segment has to be restored or rewritten from Kafka.
/// </summary>
public sealed class ColdSegmentCorruptException : Exception
{
    public ColdSegmentCorruptException(string segmentKey, int? block, string detail, Exception? inner = null)
        : base($"cold segment '{segmentKey}'{(block is { } index ? $" block {index}" : "")} is corrupt: {detail}", inner)
    {
        SegmentKey = segmentKey;
        Block = block;
    }

    public string SegmentKey { get; }

    /// <summary>The block that failed its check, or null when the footer did.</summary>
    public int? Block { get; }
}
