using System.Text;
using Liiklus.Plugins;

namespace Liiklus.Plugins.Sample;

/// <summary>On the way out, masks the value of every record whose key is <c>maskMe</c> (Liiklus's example post-processor).</summary>
public sealed class MaskingPostProcessor : IRecordPostProcessor
{
    private static readonly byte[] MaskedKey = "maskMe"u8.ToArray();
    private static readonly byte[] Masked = "**masked**"u8.ToArray();

    public Envelope? PostProcess(DeliveredRecord record) =>
        record.Envelope.Key.Span.SequenceEqual(MaskedKey)
            ? record.Envelope with { Value = Masked }
            : record.Envelope;
}
