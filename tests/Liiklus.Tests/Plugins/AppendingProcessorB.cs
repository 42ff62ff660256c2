using Liiklus.Plugins;

namespace Liiklus.Tests.Plugins;

/// <summary>Appends <c>b</c> to a value on publish and <c>B</c> on receive, to show the order processors run in.</summary>
public sealed class AppendingProcessorB : IRecordPreProcessor, IRecordPostProcessor
{
    public ValueTask<PreProcessResult> PreProcessAsync(Envelope envelope, CancellationToken cancellationToken) =>
        ValueTask.FromResult(PreProcessResult.Accept(Appending.Append(envelope, "b")));

    public Envelope? PostProcess(DeliveredRecord record) => Appending.Append(record.Envelope, "B");
}
