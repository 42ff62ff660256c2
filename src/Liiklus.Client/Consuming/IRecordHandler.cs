namespace Liiklus.Client;

/// <summary>
/// Handles the records of a <see cref="LiiklusConsumer"/>, one at a time per partition. Throwing counts as a
/// failed attempt: retried, then dead-lettered.
/// </summary>
public interface IRecordHandler
{
    /// <summary>Handles one record.</summary>
    /// <param name="record">the record</param>
    /// <param name="context">the group and which attempt this is</param>
    /// <param name="cancellationToken">cancelled when the consumer stops</param>
    ValueTask<HandleResult> HandleAsync(LiiklusRecord record, RecordContext context, CancellationToken cancellationToken);
}
