using Liiklus.Plugins;

namespace Liiklus.Tests.Plugins;

/// <summary>Appends <c>a</c> to a value on publish and <c>A</c> on receive, to show the order processors run in.</summary>
public sealed class AppendingProcessorA : IRecordPreProcessor, IRecordPostProcessor
{
    public ValueTask<PreProcessResult> PreProcessAsync(Envelope envelope, CancellationToken cancellationToken) =>
        ValueTask.FromResult(PreProcessResult.Accept(Appending.Append(envelope, "a")));

    public Envelope? PostProcess(DeliveredRecord record) => Appending.Append(record.Envelope, "A");
}
