using Liiklus.Client;

namespace Liiklus.Tests.Client;

/// <summary>A record handler made of a function.</summary>
public sealed class DelegateHandler(Func<LiiklusRecord, RecordContext, CancellationToken, ValueTask<HandleResult>> handle) : IRecordHandler
{
    public ValueTask<HandleResult> HandleAsync(LiiklusRecord record, RecordContext context, CancellationToken cancellationToken) =>
        handle(record, context, cancellationToken);
}
