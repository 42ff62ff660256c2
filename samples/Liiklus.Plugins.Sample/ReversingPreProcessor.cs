using System.Text;
using Liiklus.Plugins;

namespace Liiklus.Plugins.Sample;

/// <summary>
/// On the way in, reverses a legacy value's text (Liiklus's example pre-processor); events pass unchanged, since
/// their data is usually JSON that reversing would break.
/// </summary>
public sealed class ReversingPreProcessor : IRecordPreProcessor
{
    public ValueTask<PreProcessResult> PreProcessAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        if (envelope.Event is not null)
        {
            return ValueTask.FromResult(PreProcessResult.Accept(envelope));
        }

        var text = Encoding.UTF8.GetString(envelope.Value.Span).ToCharArray();
        Array.Reverse(text);
        return ValueTask.FromResult(PreProcessResult.Accept(envelope with { Value = Encoding.UTF8.GetBytes(text) }));
    }
}
