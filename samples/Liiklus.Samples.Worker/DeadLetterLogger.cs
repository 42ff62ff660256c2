using Liiklus.Client;

namespace Liiklus.Samples.Worker;

/// <summary>Reads the dead-letter topic and logs why each record landed there: what an operator would look at.</summary>
public sealed class DeadLetterLogger(ILogger<DeadLetterLogger> logger) : IRecordHandler
{
    public ValueTask<HandleResult> HandleAsync(LiiklusRecord record, RecordContext context, CancellationToken cancellationToken)
    {
        var headers = record.Event?.Extensions ?? new Dictionary<string, string>();
        logger.LogWarning(
            "Dead letter from {Topic} partition {Partition} offset {Offset} after {Attempts} attempts: {Reason} {ExceptionType}",
            headers.GetValueOrDefault(DeadLetters.Topic),
            headers.GetValueOrDefault(DeadLetters.Partition),
            headers.GetValueOrDefault(DeadLetters.Offset),
            headers.GetValueOrDefault(DeadLetters.Attempts),
            headers.GetValueOrDefault(DeadLetters.Reason),
            headers.GetValueOrDefault(DeadLetters.ExceptionType));
        return ValueTask.FromResult(HandleResult.Success);
    }
}
