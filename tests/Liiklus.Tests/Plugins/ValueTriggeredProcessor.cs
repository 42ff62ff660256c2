using System.Text;
using Liiklus.Plugins;

namespace Liiklus.Tests.Plugins;

/// <summary>
/// A processor that misbehaves on command, by the record's value: <c>boom</c> throws on publish,
/// <c>boom-on-receive</c> throws on the way to a Receive, <c>forbidden</c> is refused, <c>invalidate</c> is turned
/// into an event without a type, <c>drop</c> is dropped on the way out. Anything else passes unchanged.
/// </summary>
public sealed class ValueTriggeredProcessor : IRecordPreProcessor, IRecordPostProcessor
{
    public ValueTask<PreProcessResult> PreProcessAsync(Envelope envelope, CancellationToken cancellationToken) =>
        Encoding.UTF8.GetString(envelope.Value.Span) switch
        {
            "boom" => throw new InvalidOperationException("the processor broke"),
            "forbidden" => ValueTask.FromResult(PreProcessResult.Refuse(RefusalCode.PermissionDenied, "value 'forbidden' may not be published")),
            "invalidate" => ValueTask.FromResult(PreProcessResult.Accept(envelope with
            {
                Event = new EventAttributes("id", "", "/source", null, null, new Dictionary<string, string>()),
            })),
            _ => ValueTask.FromResult(PreProcessResult.Accept(envelope)),
        };

    public Envelope? PostProcess(DeliveredRecord record) =>
        Encoding.UTF8.GetString(record.Envelope.Value.Span) switch
        {
            "boom-on-receive" => throw new InvalidOperationException("the processor broke"),
            "drop" => null,
            _ => record.Envelope,
        };
}
